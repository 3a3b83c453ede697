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
     * Perfex routes an inactive module's controllers but does not load its init file: then
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

    /**
     * The one table from what went wrong to the HTTP answer. Every failure answer of this controller is a
     * reason code below with its status (providers.md §N5, §P4, §X1: anything but a 2xx makes the
     * provider retry; 4xx says the request itself is wrong, 503 says "later"). Extension exceptions are
     * answered through STATUS_BY_EXCEPTION with their own error code as the reason.
     */
    private const STATUS_BY_REASON = [
        'invalid_payload'      => 400, // the body cannot be read and no token names the payment
        'unknown_payment'      => 404, // no attempt of ours matches (never counted against webhook health)
        'unknown_provider'     => 404,
        'method_not_allowed'   => 405,
        'payload_too_large'    => 413,
        'extension_missing'    => 503,
        'database_unavailable' => 503,
        'payment_not_ready'    => 503, // the attempt has no provider payment id yet: the create is still running
        'payment_not_settled'  => 503, // a success claim the API does not confirm yet
        'rate_limited'         => 503,
        'internal_error'       => 503, // anything untyped: never a 500, never its message
    ];

    /**
     * Extension exceptions, most specific first: a bad signature is the sender's (401), a body or request
     * the extension refuses is 400, a provider API error is 503 (404 when the provider says the payment
     * does not exist), and a timeout or a configuration problem (TransportException, ConfigException, any
     * other PayBridgeException) is 503 so the provider retries later.
     */
    private const STATUS_BY_EXCEPTION = [
        \PayBridge\Exception\SignatureException::class      => 401,
        \PayBridge\Exception\InvalidPayloadException::class => 400,
        \PayBridge\Exception\ApiException::class            => 503,
        \PayBridge\Exception\PayBridgeException::class      => 503,
    ];

    /** paybridge/webhook/<provider>[/<token>] for each of PAYBRIDGE_PROVIDERS; anything else is a 404. */
    public function _remap($method, $params = []): never
    {
        $provider = strtolower((string) $method);
        if (!in_array($provider, PAYBRIDGE_PROVIDERS, true)) {
            show_404();
        }
        $this->guarded($provider, (string) ($params[0] ?? ''));
    }

    /**
     * Whatever fails below (an extension \Error, a TypeError, a database driver that throws), the caller
     * gets 503 + a short reason, never a 500 and never an exception message (style.md).
     */
    private function guarded(string $provider, string $token): never
    {
        Paybridge_timing::start();
        try {
            $this->handle($provider, $token);
        } catch (Throwable $e) {
            // Escaped from anywhere (even a typed exception from the model): not the request's fault.
            log_message('error', 'paybridge: webhook ' . $provider . ' failed (' . get_class($e) . ')');
            $this->respond(self::STATUS_BY_REASON['internal_error'], ['error' => 'internal_error']);
        }
    }

    private function handle(string $provider, string $token): never
    {
        $raw = '';
        if ((int) ($_SERVER['CONTENT_LENGTH'] ?? 0) > self::MAX_BODY
            || strlen($raw = (string) file_get_contents('php://input', false, null, 0, self::MAX_BODY + 1)) > self::MAX_BODY) {
            $this->fail(null, $provider, 'payload_too_large');
        }
        if (strtoupper($_SERVER['REQUEST_METHOD'] ?? 'GET') !== 'POST') {
            header('Allow: POST');
            $this->fail(null, $provider, 'method_not_allowed');
        }

        $gatewayProperty = $provider . '_gateway';
        $gateway = $this->{$gatewayProperty} ?? null;
        if (!$gateway instanceof Paybridge_gateway_base) {
            $this->fail(null, $provider, 'unknown_provider');
        }
        if (!paybridge_extension_loaded()) {
            $this->fail(null, $provider, 'extension_missing');
        }

        $model   = null;
        $headers = $this->headers();
        try {
            $this->load->model('paybridge/paybridge_model');
            $model = $this->paybridge_model;
        } catch (Throwable $e) {
            $this->fail(null, $provider, 'database_unavailable');
        }
        try {
            $client = $gateway->client(Paybridge_gateway_base::WEBHOOK_CLIENT);
        } catch (Throwable $e) {
            $this->failWith($model, $provider, $e); // ConfigException: 503 until the settings are fixed
        }

        // Offline first: signature (where configured or documented) on the raw bytes, then the body's
        // claims, used only to find the payment and to skip events of the other mode.
        $parsed = null;
        Paybridge_timing::begin('verify');
        try {
            $parsed = $client->parseWebhook($raw, $headers);
        } catch (Throwable $e) {
            // A body that cannot be read (InvalidPayloadException, or an untyped \Error from the extension
            // on hostile bytes) is not needed with a token: confirmWebhook re-reads the payment the token
            // names. Signature and configuration failures always stand.
            $unreadable = !$e instanceof \PayBridge\Exception\PayBridgeException;
            if ($unreadable) {
                log_message('error', 'paybridge: parseWebhook failed (' . get_class($e) . ')');
            }
            if ($token === '' || !($unreadable || $e instanceof \PayBridge\Exception\InvalidPayloadException)) {
                $this->failWith($model, $provider, $e, 'invalid_payload');
            }
        }
        // The mode (other_mode) is not judged from the body, a claim like the rest of it: record() compares
        // the mode the API reports, on every path, and staff see the refusal.

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
            $this->fail($model, $provider, 'database_unavailable');
        }
        if ($payment === null) {
            if ($parsed !== null && ($parsed['status'] ?? '') === 'unknown') {
                // A verified event of a kind this version does not act on (e.g. a Payrexx subscription):
                // acknowledged so the provider stops retrying (providers.md §0 "Normalized statuses").
                $this->respond(200, ['result' => 'ignored', 'reason' => 'unknown_status']);
            }
            $this->fail($model, $provider, 'unknown_payment');
        }
        if ((string) $payment->provider_payment_id === '') {
            $this->fail($model, $provider, 'payment_not_ready');
        }
        $readClaim = $this->guard_api_read($model, $gateway, $payment, $parsed);

        Paybridge_timing::begin('api');
        try {
            $event = $client->confirmWebhook($raw, $headers, [
                'payment_id' => (string) $payment->provider_payment_id,
                'reference'  => (string) $payment->reference,
            ]);
        } catch (Throwable $e) {
            $this->failWith($model, $provider, $e);
        }

        // The event claims success (a body saying paid, or one that could not be read) but
        // the API still says the money is not settled: never acknowledge, so the provider retries.
        $claimsSuccess = $parsed === null || ($parsed['status'] ?? '') === 'paid';
        if ($claimsSuccess && in_array((string) ($event['status'] ?? ''), ['pending', 'authorized'], true)) {
            header('Retry-After: ' . self::RETRY_AFTER);
            $this->fail(null, $provider, 'payment_not_settled');
        }

        // What record() needs to key the event: only a signature-verified body's own
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
            if ($result['reason'] === 'recording_in_progress') {
                // Another request (maybe on another web node) is adding this payment right now: README "Recording".
                header('Retry-After: 5');
            }
            // record() (the recording entry point) answers with its own status and reason.
            $this->fail($model, $provider, $result['reason'], $result['http']);
        }
        $model->webhook_health($provider, true);
        $this->respond($result['http'], ['result' => $result['result'], 'reason' => $result['reason']]);
    }

    /**
     * Before the webhook costs an authenticated API read (README "Unsigned webhooks, tokens and accounts").
     * Answers and exits when:
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
            $this->fail($model, $gateway->provider(), 'database_unavailable');
        }
        if ($wait > 0) {
            header('Retry-After: ' . $wait);
            $this->fail(null, $gateway->provider(), 'rate_limited');
        }

        return $claim;
    }

    /**
     * Answers a failure: the status is the reason's in STATUS_BY_REASON unless the caller already has one
     * (record()'s own answer or an extension exception's, see failWith). With a $model the failure also
     * counts in the gateway's webhook health, except a 404 (a stranger's URL is not our failure).
     */
    private function fail($model, string $provider, string $reason, ?int $status = null): never
    {
        $status ??= self::STATUS_BY_REASON[$reason] ?? self::STATUS_BY_REASON['internal_error'];
        if ($model !== null && $status !== 404) {
            $model->webhook_health($provider, false, $reason);
        }
        $this->respond($status, ['error' => $reason]);
    }

    /**
     * Answers what an extension call threw: STATUS_BY_EXCEPTION's status with the exception's own error
     * code. Anything untyped is $untyped (the step decides: a parse that blew up is invalid_payload, any
     * other step internal_error); its message is never echoed.
     */
    private function failWith($model, string $provider, Throwable $e, string $untyped = 'internal_error'): never
    {
        if (!$e instanceof \PayBridge\Exception\PayBridgeException) {
            $this->fail($model, $provider, $untyped);
        }
        $status = self::STATUS_BY_REASON['internal_error'];
        foreach (self::STATUS_BY_EXCEPTION as $class => $mapped) {
            if ($e instanceof $class) {
                $status = $mapped;
                break;
            }
        }
        if ($e instanceof \PayBridge\Exception\ApiException && $e->getHttpStatus() === 404) {
            $status = self::STATUS_BY_REASON['unknown_payment']; // the provider does not know the payment
        }
        $this->fail($model, $provider, $e->getErrorCode(), $status);
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

    private function respond(int $status, array $body): never
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
