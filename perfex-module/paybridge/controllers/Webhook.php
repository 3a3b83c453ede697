<?php

defined('BASEPATH') or exit('No direct script access allowed');

/**
 * Provider webhooks, one controller for all providers and one recording path (Paybridge_model::record):
 *  - POST paybridge/webhook/<provider>/<token>: the per-payment URL the module passes as notify_url;
 *  - POST paybridge/webhook/<provider>: the one URL set in the Payrexx / Noxipay backend; the payment is
 *    found by the provider payment id parseWebhook reports (Payrexx: invoice.paymentRequestId, the
 *    Gateway id; Noxipay: the payment id).
 * CSRF-excluded by config/csrf_exclude_uris.php. Every answer carries an explicit status and a short JSON
 * body with a stable reason code; failures are never a 200, so the provider retries (providers.md §N5,
 * §P4, §X1).
 */
class Webhook extends App_Controller
{
    /**
     * Perfex routes an inactive module's controllers but does not load its init file (issue 10): then
     * nothing of the module is set up, so answer 404 instead of failing on a missing function or class.
     */
    public function __construct()
    {
        parent::__construct();
        if (!defined('PAYBRIDGE_MODULE_NAME')) {
            show_404();
        }
    }

    private const MAX_BODY = 1048576;

    /** Seconds a provider is asked to wait before retrying an event whose money is not settled yet. */
    private const RETRY_AFTER = 60;

    public function neropay($token = '')
    {
        $this->guarded('neropay', (string) $token);
    }

    public function payrexx($token = '')
    {
        $this->guarded('payrexx', (string) $token);
    }

    public function noxipay($token = '')
    {
        $this->guarded('noxipay', (string) $token);
    }

    /**
     * Whatever fails below (an extension \Error, a TypeError, a database driver that throws), the caller
     * gets 503 + a short reason, never a 500 and never an exception message (issue 9 item 1).
     */
    private function guarded(string $provider, string $token): void
    {
        Paybridge_timing::start();
        try {
            $this->handle($provider, $token);
        } catch (Throwable $e) {
            log_message('error', 'paybridge: webhook ' . $provider . ' failed (' . get_class($e) . ')');
            $this->respond(503, ['error' => 'internal_error']);
        }
    }

    private function handle(string $provider, string $token): void
    {
        $raw = '';
        if ((int) ($_SERVER['CONTENT_LENGTH'] ?? 0) > self::MAX_BODY
            || strlen($raw = (string) file_get_contents('php://input', false, null, 0, self::MAX_BODY + 1)) > self::MAX_BODY) {
            $this->respond(413, ['error' => 'payload_too_large']);
        }
        if (strtoupper($_SERVER['REQUEST_METHOD'] ?? 'GET') !== 'POST') {
            header('Allow: POST');
            $this->respond(405, ['error' => 'method_not_allowed']);
        }

        $gatewayProperty = $provider . '_gateway';
        $gateway = $this->{$gatewayProperty} ?? null;
        if (!$gateway instanceof Paybridge_gateway_base) {
            $this->respond(404, ['error' => 'unknown_provider']);
        }
        if (!paybridge_extension_loaded()) {
            $this->respond(503, ['error' => 'extension_missing']);
        }

        $model   = null;
        $headers = $this->headers();
        try {
            $this->load->model('paybridge/paybridge_model');
            $model = $this->paybridge_model;
        } catch (Throwable $e) {
            $this->respond(503, ['error' => 'database_unavailable']);
        }
        try {
            $client = $gateway->client(Paybridge_gateway_base::WEBHOOK_CLIENT);
        } catch (\PayBridge\Exception\PayBridgeException $e) {
            $this->fail($model, $provider, 503, $e->getErrorCode());
        } catch (Throwable $e) {
            $this->fail($model, $provider, 503, 'internal_error');
        }

        // Offline first: signature (where configured or documented) on the raw bytes, then the body's
        // claims, used only to find the payment and to skip events of the other mode.
        $parsed = null;
        Paybridge_timing::begin('verify');
        try {
            $parsed = $client->parseWebhook($raw, $headers);
        } catch (\PayBridge\Exception\InvalidPayloadException $e) {
            if ($token === '') {
                $this->fail($model, $provider, 400, $e->getErrorCode());
            }
            // With a token the body is not needed: confirmWebhook re-reads the payment the token names.
        } catch (\PayBridge\Exception\SignatureException $e) {
            $this->fail($model, $provider, 401, $e->getErrorCode());
        } catch (\PayBridge\Exception\PayBridgeException $e) {
            $this->fail($model, $provider, 503, $e->getErrorCode()); // config (e.g. Noxipay without webhook secret)
        } catch (Throwable $e) {
            // Not a typed exception (e.g. an \Error from the extension on hostile bytes): the body is
            // unusable. With a token it is not needed (the re-read below); without one, nothing to find.
            log_message('error', 'paybridge: parseWebhook failed (' . get_class($e) . ')');
            if ($token === '') {
                $this->fail($model, $provider, 400, 'invalid_payload');
            }
        }
        // The mode (other_mode) is no longer judged from the body: record() compares the mode the API
        // reports on every path, and staff see the refusal (issue 9 item 2).

        Paybridge_timing::begin('db');
        try {
            if ($token !== '') {
                $payment = $model->find_by_token($provider, $token);
            } elseif ($gateway->hasGlobalWebhookUrl()) {
                $payment = $model->find_by_provider_payment_id($provider, (string) ($parsed['payment_id'] ?? ''));
            } else {
                $payment = null;
            }
        } catch (Throwable $e) {
            $this->fail($model, $provider, 503, 'database_unavailable');
        }
        if ($payment === null) {
            if ($parsed !== null && ($parsed['status'] ?? '') === 'unknown') {
                // A verified event of a kind this version does not act on (e.g. a Payrexx subscription):
                // acknowledged so the provider stops retrying (providers.md §0 "Normalized statuses").
                $this->respond(200, ['result' => 'ignored', 'reason' => 'unknown_status']);
            }
            $this->fail($model, $provider, 404, 'unknown_payment');
        }
        if ((string) $payment->provider_payment_id === '') {
            $this->fail($model, $provider, 503, 'payment_not_ready');
        }
        $readClaim = $this->guard_api_read($model, $gateway, $payment, $parsed);

        Paybridge_timing::begin('api');
        try {
            $event = $client->confirmWebhook($raw, $headers, [
                'payment_id' => (string) $payment->provider_payment_id,
                'reference'  => (string) $payment->reference,
            ]);
        } catch (\PayBridge\Exception\SignatureException $e) {
            $this->fail($model, $provider, 401, $e->getErrorCode());
        } catch (\PayBridge\Exception\InvalidPayloadException $e) {
            $this->fail($model, $provider, 400, $e->getErrorCode());
        } catch (\PayBridge\Exception\ApiException $e) {
            $this->fail($model, $provider, $e->getHttpStatus() === 404 ? 404 : 503, $e->getErrorCode());
        } catch (\PayBridge\Exception\PayBridgeException $e) {
            // TransportException (timeout, connection_failed), ConfigException: retry later.
            $this->fail($model, $provider, 503, $e->getErrorCode());
        } catch (Throwable $e) {
            $this->fail($model, $provider, 503, 'internal_error');
        }

        // Issue 9 item 4: the event claims success (a body saying paid, or one that could not be read) but
        // the API still says the money is not settled: never acknowledge, so the provider retries.
        $claimsSuccess = $parsed === null || ($parsed['status'] ?? '') === 'paid';
        if ($claimsSuccess && in_array((string) ($event['status'] ?? ''), ['pending', 'authorized'], true)) {
            header('Retry-After: ' . self::RETRY_AFTER);
            $this->respond(503, ['error' => 'payment_not_settled']);
        }

        // What record() needs to key the event (issue 9 item 5): only a signature-verified body's own
        // event id is trusted; the raw body itself is never stored, only its hash.
        $event['body_verified'] = $parsed !== null ? (string) ($parsed['verified'] ?? 'none') : 'none';
        $event['body_event_id'] = $parsed !== null ? (string) ($parsed['id'] ?? '') : '';
        $event['body_hash']     = hash('sha256', $raw);

        Paybridge_timing::begin('db');
        $result = $model->record($event, $payment, $gateway, 'webhook');
        if ($readClaim !== null && $result['http'] >= 500 && $result['reason'] === 'database_unavailable') {
            // The read is done but nothing was stored (database error): the provider's retry must not be
            // held back by the read limit, or a passing database hiccup would cost the payment. Only then:
            // any other 503 (e.g. a "paid" claim the API does not confirm yet) keeps the slot, or a forger
            // could buy unlimited reads.
            $model->release_webhook_read($payment, $readClaim);
        }
        if ($result['http'] >= 300) {
            $this->fail($model, $provider, $result['http'], $result['reason']);
        }
        $model->webhook_health($provider, true);
        $this->respond($result['http'], ['result' => $result['result'], 'reason' => $result['reason']]);
    }

    /**
     * Before the webhook costs an authenticated API read (issue 9 items 8 and 10). Answers and exits when:
     *  - the attempt belongs to another account than the one configured now: 200 ignored/other_account
     *    (never read with the current credentials; shown to staff; the cron reads it again once the
     *    account matches);
     *  - the body is not signature-verified and claims "paid" for a payment already recorded: 200
     *    duplicate/already_recorded without reading (redeliveries stay cheap);
     *  - the body is not signature-verified and this attempt already had a webhook read for the same
     *    claimed status in the last 10 s: 503 + Retry-After, reason rate_limited (Paybridge_model::
     *    claim_webhook_read: one read per attempt and claimed status per 10 s).
     * Signed webhooks (Noxipay; NeroPay/Payrexx with a webhook secret) are never limited.
     * @return string|null the claimed status whose read slot this request took (null: not limited)
     */
    private function guard_api_read($model, Paybridge_gateway_base $gateway, object $payment, ?array $parsed): ?string
    {
        $claim = null;
        try {
            if ($gateway->isOtherAccount($payment)) {
                $model->mark_other_account($payment);
                $this->respond(200, ['result' => 'ignored', 'reason' => 'other_account']);
            }
            if ($parsed !== null ? ($parsed['verified'] ?? '') === 'signature' : $gateway->webhooksSigned()) {
                // Verified (a signed body that does not parse still had its signature checked first).
                return null;
            }
            $claim = $parsed !== null ? (string) ($parsed['status'] ?? 'unknown') : 'none';
            if ($claim === 'paid' && $model->is_recorded($payment)) {
                $this->respond(200, ['result' => 'duplicate', 'reason' => 'already_recorded']);
            }
            $wait = $model->claim_webhook_read($payment, $claim, 10);
        } catch (Throwable $e) {
            $this->fail($model, $gateway->provider(), 503, 'database_unavailable');
        }
        if ($wait > 0) {
            header('Retry-After: ' . $wait);
            $this->respond(503, ['error' => 'rate_limited']);
        }

        return $claim;
    }

    /** @return never */
    private function fail($model, string $provider, int $status, string $reason): void
    {
        if ($model !== null && $status !== 404) {
            $model->webhook_health($provider, false, $reason);
        }
        $this->respond($status, ['error' => $reason]);
    }

    private function headers(): array
    {
        if (function_exists('getallheaders')) {
            $headers = getallheaders();
            if (is_array($headers) && $headers) {
                return $headers;
            }
        }
        $headers = [];
        foreach ($_SERVER as $key => $value) {
            if (strpos($key, 'HTTP_') === 0 || $key === 'CONTENT_TYPE') {
                $headers[$key] = (string) $value;
            }
        }

        return $headers;
    }

    /** @return never */
    private function respond(int $status, array $body): void
    {
        http_response_code($status);
        if (($timing = Paybridge_timing::header()) !== '') {
            header($timing); // issue 14 item 5: on every answer, success or error
        }
        header('Content-Type: application/json');
        header('Cache-Control: no-store');
        echo json_encode($body);
        exit;
    }
}
