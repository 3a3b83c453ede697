<?php
// IDE stubs for the paybridge PHP extension (php/tests/StubsTest.php checks them against the loaded
// extension by reflection).
// Do not include this file at run time: the extension provides these symbols.

namespace PayBridge {
    /**
     * Version of the loaded extension, e.g. "0.1.0".
     */
    function version(): string {}

    /**
     * The ISO 4217 minor-unit exponent of a currency code, from the extension's own money table (the
     * one every amount is checked against): "JPY" 0, "EUR" 2, "KWD" 3, "CLF" 4. Lower case is
     * accepted. Use it instead of a copy of the table when converting amounts in PHP.
     *
     * @throws Exception\InvalidPayloadException "unsupported_currency" for anything that is not a
     *     currency of the table (not three letters, or unknown)
     */
    function currency_exponent(string $code): int {}

    /**
     * One configured payment provider. Instances are cheap; the HTTP client behind them is shared
     * per process and created lazily on the first API call.
     *
     * Providers and their config keys:
     *  - "neropay": secret_key (required), webhook_secret (string or list of strings; optional),
     *    account, base_url (default https://eu.neropay.app/v2), timeout_ms (20000),
     *    connect_timeout_ms (5000), max_retries (2), tolerance_seconds (300).
     *  - "payrexx": instance (required), secret_key (required), webhook_secret (optional),
     *    auth ("api_key" default, or "signature"), base_url (default https://api.payrexx.com/v1.14),
     *    timeout_ms, connect_timeout_ms, max_retries.
     *  - "noxipay": secret_key (required), webhook_secret (required for webhooks; string or list),
     *    base_url (default https://api.noxipay.com/v1), timeout_ms, connect_timeout_ms, max_retries,
     *    tolerance_seconds (default 259200 = 72 h, on the event's `created`).
     *  - every provider also accepts `fixed_now` (int, Unix seconds): the current time used for
     *    webhook timestamp checks — for tests and for replaying archived webhooks.
     *  - `base_url` must be https://, except for a loopback host (a local sandbox).
     *  - every provider also accepts `retry`: "all" (default: connect errors, timeouts, 429 and 5xx
     *    are retried up to max_retries times) or "unsent" (only failures before any byte of the
     *    request was sent, i.e. connection errors; nothing that may have reached the provider).
     *  - every provider also accepts `ca_file`: path of a PEM bundle whose certificates are trusted
     *    in addition to the built-in (Mozilla) roots — a corporate TLS-inspecting proxy's CA, or the
     *    local sandbox's (`paybridge-sandbox serve --tls --tls-ca-out PATH`). Read and checked when
     *    the Gateway is built: a missing/unreadable file or one without a valid PEM certificate is a
     *    ConfigException (code config, message "ca_file could not be read" / "ca_file holds no
     *    valid PEM certificate"). A certificate that is not trusted fails the call with a
     *    TransportException of code tls_error before any byte of the request is sent.
     *  - HTTP: redirects are never followed (a 3xx answer is an ApiException with that status and
     *    code invalid_response, so keys and signatures never go to another host); an answer over
     *    4 MiB is invalid_response.
     *
     * Normalized payment (createPayment, retrievePayment):
     *   ['id' => string, 'reference' => string, 'status' => string, 'checkout_url' => ?string,
     *    'amount' => string (decimal, major units), 'amount_minor' => int, 'currency' => string,
     *    'mode' => 'live'|'test'|null, 'provider' => string,
     *    'refunded_amount' => string ("0.00" when none), 'refunded_amount_minor' => int,
     *    'refunds' => list<array{id: string, status: 'pending'|'succeeded'|'failed', amount: string,
     *       amount_minor: int, currency: string}>,
     *    'chargebacks' => list<array{id: string, amount: string, amount_minor: int, currency: string,
     *       reason: ?string}>, 'raw' => array]
     *   `refunds` / `chargebacks` are what the provider's API lists (empty when none or unknown;
     *   `chargebacks` may be empty even with status chargeback). `refunded_amount` is the
     *   provider's refunded total, or the sum of succeeded refunds when that is larger.
     * Normalized event (parseWebhook, confirmWebhook):
     *   ['id' => string, 'type' => string, 'status' => string, 'payment_id' => ?string,
     *    'reference' => ?string, 'amount' => ?string, 'amount_minor' => ?int, 'currency' => ?string,
     *    'mode' => 'live'|'test'|null, 'provider' => string,
     *    'verified' => 'signature'|'none'|'api', 'refunded_amount' => ?string,
     *    'refunded_amount_minor' => ?int, 'refunds' => list, 'chargebacks' => list, 'raw' => array]
     *   confirmWebhook fills the refund keys from the API re-read (as retrievePayment);
     *   parseWebhook cannot know them: null, null, [], [].
     * Normalized refund (refundPayment):
     *   ['id' => string, 'payment_id' => string, 'status' => 'pending'|'succeeded'|'failed',
     *    'amount' => string, 'amount_minor' => int, 'currency' => string, 'provider' => string,
     *    'raw' => array]
     * Statuses: pending, authorized, paid, failed, cancelled, refunded, partially_refunded,
     *   chargeback, unknown.
     * `mode`: whether the money is real. Payrexx reports it (the transaction's `mode`, LIVE/TEST:
     *   from Transaction/{id} in retrievePayment/confirmWebhook, from the body's `transaction.mode`
     *   in parseWebhook; null while there is no transaction). NeroPay and Noxipay report none:
     *   always null. Refuse a non-null mode that differs from the account's configured mode.
     * Current state (retrievePayment, confirmWebhook): the payment's state now, from its settled
     *   transaction. `paid` only with a succeeded/confirmed transaction, with THAT transaction's
     *   amount and currency; a refunded / partially refunded / cancelled / charged-back transaction
     *   gives refunded / partially_refunded / cancelled / chargeback even while the NeroPay link or
     *   Payrexx gateway still says paid/confirmed; a paid link or gateway without a readable
     *   transaction of its own gives `unknown`, never `paid`. See README "Trust".
     */
    final class Gateway
    {
        /**
         * @param string $provider "neropay", "payrexx" or "noxipay"
         * @param array<string, mixed> $config see the class docblock
         * @throws Exception\ConfigException unknown provider, missing or invalid key (code "config")
         */
        public function __construct(string $provider, array $config) {}

        /** The provider name this gateway was built for. */
        public function provider(): string {}

        /**
         * Creates a hosted payment (NeroPay payment link, Payrexx Gateway, Noxipay payment).
         *
         * @param array{amount: string|int, currency: string, reference: string, description?: string,
         *   success_url: string, cancel_url: string, notify_url?: string, metadata?: array<string,string>,
         *   customer?: array{name?: string, email?: string}, idempotency_key?: string} $request
         *   `amount` is a decimal string in major units ("12.50") or an int of minor units; a float is refused.
         *   `idempotency_key` is used as given and reused on every retry; one is generated otherwise.
         *   What it guarantees depends on the provider:
         *   - neropay, noxipay: sent as the `Idempotency-Key` header and reused on every retry, so the
         *     provider deduplicates: a retried create never makes a second payment. Only the caller's
         *     own key carries over to a new call: without one, a timeout after sending is a
         *     TransportException with isRetrySafe() false (calling again would make a new key, and
         *     the provider a second payment); with one it is true (call again with the same key).
         *   - payrexx: Payrexx has no idempotency support, so no key is sent: a caller's key is
         *     checked for its format and not used, and the key cannot deduplicate anything.
         *     A create is therefore never re-sent once any byte of it may have reached Payrexx
         *     (only connection failures before sending are retried, whatever `retry` says); a timeout
         *     after sending is a TransportException with isRetrySafe() false: re-read the payment
         *     (retrievePayment) or look in the Payrexx admin before creating another one.
         * @return array normalized payment
         * @throws Exception\InvalidPayloadException invalid_request, invalid_amount, unsupported_currency
         * @throws Exception\ApiException provider_rejected, invalid_response
         * @throws Exception\TransportException timeout, connection_failed, tls_error
         */
        public function createPayment(array $request): array {}

        /**
         * Fetches a payment fresh from the provider: its current state (class docblock), read through
         * the authenticated API (NeroPay: the link and its transaction; Payrexx: the Gateway and
         * Transaction/{id}; Noxipay: the payment).
         *
         * @return array normalized payment
         * @throws Exception\InvalidPayloadException invalid_request (empty id)
         * @throws Exception\ApiException provider_rejected (e.g. HTTP 404), invalid_response
         * @throws Exception\TransportException timeout, connection_failed, tls_error
         */
        public function retrievePayment(string $id): array {}

        /**
         * Verifies (where a signature is configured or documented) then parses a webhook, offline.
         * Headers are matched case-insensitively; `X-NeroPay-Signature` and `HTTP_X_NEROPAY_SIGNATURE`
         * are the same header. The body is raw bytes (any binary string).
         *
         * @param array<string, string|string[]> $headers
         * @return array normalized event, `verified` = "signature" or "none"
         * @throws Exception\SignatureException missing_header, malformed_signature, signature_mismatch,
         *   timestamp_out_of_tolerance
         * @throws Exception\InvalidPayloadException invalid_payload (also: body over 1 MiB, more than 256
         *   headers), invalid_amount, unsupported_currency
         * @throws Exception\ConfigException config (e.g. Noxipay without webhook_secret)
         */
        public function parseWebhook(string $rawBody, array $headers): array {}

        /**
         * parseWebhook, then re-reads the payment through the provider's authenticated API and returns
         * the API's current status, amount, currency and mode (as retrievePayment) with
         * `verified` = "api"; the body's claims are never used. This is the only result that
         * may mark an invoice paid for providers without a documented webhook signature.
         *
         * @param array{payment_id?: string|int, reference?: string}|null $hint identifies the payment
         *   when the body cannot (e.g. the module's per-payment token resolved to the provider
         *   payment id); with a hint and no webhook secret, an empty or malformed body still leads to
         *   the re-read (the body is only a wake-up call). `reference` is accepted and type-checked
         *   but unused: no provider can look a payment up by it; `payment_id` identifies it.
         * @return array normalized event
         * @throws Exception\SignatureException
         * @throws Exception\InvalidPayloadException
         * @throws Exception\ApiException
         * @throws Exception\TransportException
         */
        public function confirmWebhook(string $rawBody, array $headers, ?array $hint = null): array {}

        /**
         * Refunds all or part of a payment through the provider: NeroPay `POST
         * /transactions/{id}/refund` (signed), Payrexx `POST Transaction/{id}/refund` (minor units),
         * Noxipay `POST /payments/{id}/refunds`. It first re-reads the payment (as retrievePayment)
         * and sends nothing when the payment is not paid or partially_refunded
         * (payment_not_refundable), when `currency` is not the payment's (currency_mismatch), or
         * when `amount` is more than is still refundable: captured minus refunded minus pending
         * refunds (refund_exceeds_refundable).
         *
         * @param string $paymentId the id createPayment returned
         * @param array{amount?: string|int, currency?: string, reason?: string,
         *   idempotency_key?: string} $request `amount` as in createPayment (default: everything
         *   still refundable); `reason` up to 255 characters, Unicode kept, control characters
         *   refused; `idempotency_key` as in createPayment: NeroPay and Noxipay receive it (a replay
         *   returns the same refund; without your own key, a timeout after sending is not
         *   retry-safe, as for creates); Payrexx has no idempotency support, so no key is sent and a
         *   refund that may have reached Payrexx is never re-sent (a timeout after sending is a
         *   TransportException with isRetrySafe() false: re-read before refunding again).
         * @return array normalized refund; `status` may be "pending" (its end shows in later reads)
         * @throws Exception\InvalidPayloadException refund_exceeds_refundable, payment_not_refundable,
         *   currency_mismatch, invalid_request, invalid_amount, unsupported_currency
         * @throws Exception\ApiException provider_rejected, invalid_response
         * @throws Exception\TransportException timeout, connection_failed, tls_error
         */
        public function refundPayment(string $paymentId, array $request = []): array {}
    }
}

namespace PayBridge\Exception {
    /** Base of every paybridge exception. */
    class PayBridgeException extends \Exception
    {
        /** Only the extension creates these: `new` from PHP throws an \Exception. */
        public function __construct() {}
        /** Stable snake_case code, e.g. "signature_mismatch". */
        public function getErrorCode(): string {}
    }

    /** Bad or missing configuration (code "config"). */
    class ConfigException extends PayBridgeException
    {
        /** Only the extension creates these: `new` from PHP throws an \Exception. */
        public function __construct() {}
    }

    /** missing_header, malformed_signature, signature_mismatch, timestamp_out_of_tolerance. */
    class SignatureException extends PayBridgeException
    {
        /** Only the extension creates these: `new` from PHP throws an \Exception. */
        public function __construct() {}
    }

    /**
     * invalid_payload, invalid_request, invalid_amount, unsupported_currency; and, from
     * refundPayment before any request: refund_exceeds_refundable, payment_not_refundable,
     * currency_mismatch.
     */
    class InvalidPayloadException extends PayBridgeException
    {
        /** Only the extension creates these: `new` from PHP throws an \Exception. */
        public function __construct() {}
    }

    /** The provider answered with an error (provider_rejected) or an unreadable body (invalid_response). */
    class ApiException extends PayBridgeException
    {
        /** Only the extension creates these: `new` from PHP throws an \Exception. */
        public function __construct() {}
        /** HTTP status of the provider's answer (0 when none). */
        public function getHttpStatus(): int {}
        /** The provider's own error code, e.g. "validation_failed", or null. */
        public function getProviderCode(): ?string {}
        /** The provider's request id header, or null. */
        public function getRequestId(): ?string {}
    }

    /**
     * timeout or connection_failed: the request may or may not have reached the provider.
     * tls_error: the TLS handshake failed (certificate not trusted: see the `ca_file` config key);
     * nothing was sent.
     */
    class TransportException extends PayBridgeException
    {
        /** Only the extension creates these: `new` from PHP throws an \Exception. */
        public function __construct() {}
        /**
         * True: calling again is safe (a read, a failure before anything was sent, or a NeroPay or
         * Noxipay create given the caller's own idempotency_key, to be sent again with the same key).
         * False when a create may have been processed and a new call could make a second payment: a
         * Payrexx create after sending, or a NeroPay/Noxipay create after sending without the
         * caller's idempotency_key (the key the extension made for it dies with the call).
         */
        public function isRetrySafe(): bool {}
    }
}
