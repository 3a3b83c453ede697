<?php

defined('BASEPATH') or exit('No direct script access allowed');

require_once __DIR__ . '/Paybridge_money.php';
require_once __DIR__ . '/Paybridge_fee.php';
require_once __DIR__ . '/Paybridge_system.php';

/**
 * Shared body of the paybridge gateways. A provider gateway (e.g. Neropay_gateway) only declares its
 * settings and how they become the extension's config; paying, webhooks and recording live here and in
 * Paybridge_model. The file name deliberately does not end in `_gateway.php` (perfex.md "Gateways").
 */
abstract class Paybridge_gateway_base extends App_gateway
{
    /**
     * Webhook re-reads: up to ~5 s in all (providers give up on slow endpoints), one retry only when no byte of the
     * request was sent (a cold TLS connection must not become a 503 that burns the provider's few retries).
     */
    public const WEBHOOK_CLIENT = ['timeout_ms' => 2400, 'connect_timeout_ms' => 1000, 'max_retries' => 1, 'retry' => 'unsent'];

    /** Customer-facing calls (create, return URL, admin re-check) may retry with the same idempotency key. */
    public const CUSTOMER_CLIENT = ['timeout_ms' => 15000, 'connect_timeout_ms' => 3000, 'max_retries' => 2];

    /**
     * Perfex 3.0.5+ processing fees: with processingFees, App_gateway::setSettings() adds
     * Perfex's own fee_fixed / fee_percent settings, getFee() applies them, and Perfex adds the fee to the
     * amount before process_payment() (perfex.md "process_payment flow"). Assigned here rather than
     * redeclared as a property: Perfex's App_gateway declares it, and a redeclaration must repeat its exact
     * type, which differs between the stand-in and Perfex releases. Set before the gateways call setSettings().
     */
    public function __construct()
    {
        $this->processingFees = true;
        parent::__construct();
    }

    /**
     * Provider name as the extension knows it, one of PAYBRIDGE_PROVIDERS: the gateway's class name
     * without `_gateway` (Neropay_gateway -> "neropay"), the file name Perfex loads it from.
     */
    final public function provider(): string
    {
        return strtolower(substr(static::class, 0, -strlen('_gateway')));
    }

    /** Extension config from the settings; empty values are dropped before use (no defaults for secrets). */
    abstract protected function providerConfig(): array;

    /**
     * Settings common to every paybridge gateway, wrapped around the provider's own ones.
     * Call after setName() (label default is the name at that moment).
     */
    protected function paybridgeSettings(array $providerSettings, string $defaultCurrencies): array
    {
        $first = array_shift($providerSettings);
        // Built when the settings page echoes it, not here: Perfex runs gateway constructors at
        // pre_controller_constructor, before any language line is loaded, and on every request.
        $first['after'] = new Paybridge_lazy_html((string) ($first['after'] ?? ''), function () {
            return $this->statusHtml();
        });

        return array_merge([$first], $providerSettings, [
            [
                'name'          => 'currencies',
                'label'         => 'paybridge_setting_currencies',
                'default_value' => $defaultCurrencies,
            ],
            [
                'name'          => 'description_dashboard',
                'label'         => 'paybridge_setting_description',
                'type'          => 'textarea',
                'default_value' => 'Payment for Invoice {invoice_number}',
            ],
            [
                'name'          => 'test_mode_enabled',
                'label'         => 'paybridge_setting_test_mode',
                'type'          => 'yes_no',
                'default_value' => 0,
            ],
            // Issue 13 item 4: how a confirmed refund or chargeback shows in Perfex's books: `credit_note`
            // (a closed credit note with its refund) or `log_only` (an activity-log line). Anything else
            // is treated as credit_note.
            [
                'name'          => 'refund_bookkeeping',
                'label'         => 'paybridge_setting_refund_bookkeeping',
                'default_value' => 'credit_note',
            ],
        ]);
    }

    /**
     * The extension client for this gateway; $without drops config keys (e.g. a webhook secret for a
     * read that is not a webhook). @throws \PayBridge\Exception\ConfigException
     */
    public function client(array $overrides = [], array $without = []): \PayBridge\Gateway
    {
        $config = array_filter($this->providerConfig() + [
            // One PEM bundle for every provider (a corporate TLS proxy's CA, or the sandbox's with
            // `scripts/stack up --tls`): option paybridge_ca_file, README "TLS" (issue 14).
            'ca_file' => trim(get_option('paybridge_ca_file')),
        ], static function ($v) {
            return $v !== '' && $v !== null && $v !== [];
        });

        return new \PayBridge\Gateway($this->provider(), array_diff_key($overrides + $config, array_flip($without)));
    }

    /**
     * True when the provider posts every webhook to one URL set in its backend
     * (paybridge/webhook/<provider>, no token): the payment is then found by the provider payment id
     * that parseWebhook reports.
     */
    public function hasGlobalWebhookUrl(): bool
    {
        return false;
    }

    protected function testMode(): bool
    {
        return $this->getSetting('test_mode_enabled') === '1';
    }

    /**
     * Non-secret identifiers of the provider account the settings point at (base URL, NeroPay account,
     * Payrexx instance). Stored on each attempt at creation (README "Unsigned webhooks, tokens and accounts").
     * @return array<string, string>
     */
    protected function accountIdentity(): array
    {
        return ['base_url' => rtrim(trim($this->getSetting('base_url')), '/')];
    }

    /** The current account as stored on attempts (stable JSON of accountIdentity()). */
    public function accountKey(): string
    {
        $identity = $this->accountIdentity();
        ksort($identity);

        return (string) json_encode($identity, JSON_UNESCAPED_SLASHES);
    }

    /**
     * True when the attempt was created with another account than the one configured now. Such an attempt is
     * never read with the current credentials: the provider would answer for the wrong account at best, and
     * the attempt's own credentials are not kept. An attempt without a recorded account (account NULL, from
     * before the column existed) has nothing to compare, so it is read with the current account.
     */
    public function isOtherAccount(object $payment): bool
    {
        $stored = isset($payment->account) ? (string) $payment->account : '';

        return $stored !== '' && !hash_equals($stored, $this->accountKey());
    }

    /** The authoritative payment read for the return URL, the admin re-check and the cron. */
    public function readPayment(object $payment): array
    {
        if ($this->isOtherAccount($payment)) {
            // Callers check isOtherAccount() first; this keeps any other caller from reading it anyway.
            throw new UnexpectedValueException('other_account');
        }
        // The extension reports a paid payment's settled amount and currency, not the requested ones.
        $read = $this->client(self::CUSTOMER_CLIENT)->retrievePayment((string) $payment->provider_payment_id);

        return $read + ['verified' => 'api'];
    }

    /** A secret setting that may hold several values during rotation (comma or newline separated). */
    protected function secretList(string $name)
    {
        $raw = $this->getSetting($name) === '' ? '' : $this->decryptSetting($name);
        $parts = array_values(array_filter(array_map('trim', preg_split('/[\s,]+/', $raw)), 'strlen'));

        return count($parts) > 1 ? $parts : ($parts[0] ?? '');
    }

    protected function secret(string $name): string
    {
        return $this->getSetting($name) === '' ? '' : $this->decryptSetting($name);
    }

    public function webhookUrl(string $token): string
    {
        return site_url('paybridge/webhook/' . $this->provider() . '/' . $token);
    }

    public function returnUrl(string $token): string
    {
        return site_url('paybridge/payment/return_url/' . $this->provider() . '/' . $token);
    }

    /**
     * Perfex calls this when the customer presses Pay (perfex.md "Paying"). The payment row (token +
     * idempotency key) exists before the provider is called, so a retry or a lost answer never loses track.
     */
    public function process_payment($data): never
    {
        $invoice    = $data['invoice'] ?? null;
        $invoiceId  = (int) ($data['invoiceid'] ?? ($invoice->id ?? 0));
        $invoiceUrl = $invoice ? site_url('invoice/' . $invoice->id . '/' . $invoice->hash) : site_url();

        if (!paybridge_extension_loaded()) {
            set_alert('danger', _l('paybridge_extension_missing'));
            redirect($invoiceUrl);
        }
        if (!$invoice || $invoiceId <= 0) {
            set_alert('danger', _l('paybridge_payment_failed'));
            redirect($invoiceUrl);
        }

        // Real Perfex checks none of this before calling us (perfex.md "process_payment flow"):
        // the invoice's state, whether this mode is allowed on it, and the amount are ours to refuse,
        // before any provider call.
        if (in_array((int) $invoice->status, [2, 5, 6], true)) { // STATUS_PAID, STATUS_CANCELLED, STATUS_DRAFT
            set_alert('danger', _l('paybridge_payment_invoice_not_payable'));
            redirect($invoiceUrl);
        }
        if (!is_payment_mode_allowed_for_invoice($this->getId(), $invoiceId)) {
            set_alert('danger', _l('paybridge_payment_mode_not_allowed'));
            redirect($invoiceUrl);
        }

        $currency = strtoupper((string) $invoice->currency_name);
        $allowed  = array_filter(array_map('strtoupper', array_map('trim', explode(',', $this->getSetting('currencies')))));
        $perfexAttempt = $data['payment_attempt'] ?? null; // Perfex 3.0.5+ (perfex.md "process_payment flow")
        try {
            if ($allowed && !in_array($currency, $allowed, true)) {
                throw new InvalidArgumentException('unsupported_currency');
            }
            // Perfex's floats (amount + gateway fee, the fee itself) become decimal strings and minor units
            // exactly once, here (Paybridge_fee says how the fee is rounded and checked); an invoice part with
            // more decimals than the currency has is refused, never rounded (Paybridge_money::payAmount).
            $split = Paybridge_fee::split($data['amount'] ?? '', $data['gateway_fee'] ?? null,
                is_object($perfexAttempt) && isset($perfexAttempt->amount) ? $perfexAttempt->amount : null, $currency,
                $this->processingFees ? [$this->getSetting('fee_fixed'), $this->getSetting('fee_percent')] : null);
            // What the provider charges: the invoice part plus the fee. `amount` keeps
            // meaning "the same amount as amount_minor" on the attempt row; fee_minor is the fee in it.
            $amount      = $split['charged'];
            $amountMinor = $split['charged_minor'];
            // Left to pay (bcsub string, may be 0 or negative), in Perfex's 2-decimal cents.
            $leftCents = Paybridge_money::cents((string) get_invoice_total_left_to_pay($invoiceId, $invoice->total));
            if ($leftCents <= 0) {
                throw new InvalidArgumentException('nothing_left');
            }
        } catch (InvalidArgumentException $e) {
            $m = $e->getMessage();
            if ($m === 'fee_mismatch') {
                // Never charge a fee the module cannot explain from the gateway's fee settings.
                log_message('error', 'paybridge: ' . $this->provider() . ' gateway fee does not match its fee settings');
            }
            set_alert('danger', _l($m === 'unsupported_currency' ? 'paybridge_payment_invalid_currency'
                : ($m === 'nothing_left' ? 'paybridge_payment_invoice_not_payable'
                : ($m === 'fee_mismatch' ? 'paybridge_payment_fee_mismatch' : 'paybridge_payment_invalid_amount'))));
            redirect($invoiceUrl);
        }
        if (Paybridge_money::cents($split['base']) > $leftCents) {
            set_alert('danger', _l('paybridge_payment_amount_over_left'));
            redirect($invoiceUrl);
        }

        // A database error here must not become a 500 page for the customer (style.md).
        try {
            $this->ci->load->model('paybridge/paybridge_model');
            $model = $this->ci->paybridge_model;
            $row   = $model->create_attempt($this->provider(), $invoiceId, $amount, $amountMinor, $currency, $this->accountKey(),
                is_object($perfexAttempt) && isset($perfexAttempt->id) ? (int) $perfexAttempt->id : null, $split['fee_minor']);
        } catch (Throwable $e) {
            log_message('error', 'paybridge: ' . $this->provider() . ' attempt not stored: ' . get_class($e));
            set_alert('danger', _l('paybridge_payment_failed'));
            redirect($invoiceUrl);
        }

        $invoiceNumber = format_invoice_number($invoice);
        $description   = str_replace('{invoice_number}', $invoiceNumber, $this->getSetting('description_dashboard'));
        $request = [
            'amount'          => Paybridge_money::fromMinor($amountMinor, $currency),
            'currency'        => $currency,
            'reference'       => $row->reference,
            'description'     => $description !== '' ? $description : $invoiceNumber,
            'success_url'     => $this->returnUrl($row->return_token),
            'cancel_url'      => $invoiceUrl,
            'notify_url'      => $this->webhookUrl($row->token),
            'idempotency_key' => $row->idempotency_key,
            'metadata'        => ['invoice_id' => (string) $invoiceId, 'invoice_number' => $invoiceNumber],
        ];
        $customer = array_filter([
            'name' => isset($invoice->client->company) ? (string) $invoice->client->company : '',
        ], 'strlen');
        if ($customer) {
            $request['customer'] = $customer;
        }

        $checkoutUrl = null;
        try {
            $payment     = $this->client(self::CUSTOMER_CLIENT)->createPayment($request);
            $checkoutUrl = (string) ($payment['checkout_url'] ?? '');
            if ($checkoutUrl === '' || (string) ($payment['id'] ?? '') === '') {
                throw new UnexpectedValueException('invalid_response');
            }
            if (!self::isSafeCheckoutUrl($checkoutUrl)) {
                // The customer is never sent to a plain-http page (README "HTTP safety"); nothing was paid yet.
                $model->attempt_failed($row, 'insecure_checkout_url');
                log_message('error', 'paybridge: ' . $this->provider() . ' returned a checkout URL that is not https');
                $checkoutUrl = null;
            } else {
                $model->attempt_created($row, (string) $payment['id'], $checkoutUrl, (string) ($payment['status'] ?? 'pending'));
            }
        } catch (\PayBridge\Exception\PayBridgeException $e) {
            // Only the stable code is kept: provider messages could echo request data.
            $this->attemptFailedQuietly($model, $row, $e->getErrorCode());
            $checkoutUrl = null;
        } catch (Throwable $e) {
            $this->attemptFailedQuietly($model, $row, 'internal_error');
            log_message('error', 'paybridge: ' . $this->provider() . ' create failed: ' . get_class($e));
            $checkoutUrl = null;
        }

        if ($checkoutUrl === null) {
            set_alert('danger', _l('paybridge_payment_failed'));
            redirect($invoiceUrl);
        }
        redirect($checkoutUrl);
    }

    /**
     * What addPayment() gets for a verified, paid attempt: Perfex records the invoice part,
     * never the fee. When Perfex's own tblpayment_attempts row of the Pay click still exists, addPayment()
     * gets its `payment_attempt_reference` and an amount of invoice part + THAT row's fee, so Perfex takes
     * its own fee off itself (perfex.md "process_payment flow"); the row's fee can differ from the fee
     * charged only where the currency has fewer decimals (JPY: 35.10 stored, 35 charged). When the row is
     * gone (the attempt ended before a late payment, or a Perfex before 3.0.5), the invoice part is passed
     * as is, without a reference. Runs inside the recording transaction.
     */
    public function paymentRecordData(object $payment, array $data): array
    {
        $feeMinor = (int) ($payment->fee_minor ?? 0);
        if ($feeMinor > 0) {
            $data['amount'] = Paybridge_fee::perfexAmountOf((int) $payment->amount_minor - $feeMinor, (string) $payment->currency);
        }
        $attemptId = (int) ($payment->perfex_attempt_id ?? 0);
        if ($attemptId <= 0) {
            return $data;
        }
        $this->ci->load->model('payment_attempts_model');
        $attempt = $this->ci->payment_attempts_model->get($attemptId, $this->getId());
        if (!$attempt || (string) ($attempt->reference ?? '') === '') {
            return $data;
        }
        $perfexFeeCents = Paybridge_money::cents(Paybridge_fee::roundHalfUp(Paybridge_fee::decimalOf($attempt->fee ?? 0), 2));
        $data['amount'] = Paybridge_fee::centsText(Paybridge_money::cents((string) $data['amount']) + $perfexFeeCents);
        $data['payment_attempt_reference'] = (string) $attempt->reference;

        return $data;
    }

    /** The customer still gets the alert when the database refuses even this update. */
    private function attemptFailedQuietly($model, object $row, string $code): void
    {
        try {
            $model->attempt_failed($row, $code);
        } catch (Throwable $e) {
            log_message('error', 'paybridge: attempt ' . (int) $row->id . ' not marked failed: ' . get_class($e));
        }
    }

    /** https:// with a host, or http:// on a loopback host (127.0.0.0/8, ::1, localhost) like the extension allows. */
    public static function isSafeCheckoutUrl(string $url): bool
    {
        $parts  = parse_url($url);
        $scheme = strtolower((string) ($parts['scheme'] ?? ''));
        $host   = strtolower(trim((string) ($parts['host'] ?? ''), '[]'));
        if ($host === '' || preg_match('/[\s\x00-\x1f]/', $url)) {
            return false;
        }
        if ($scheme === 'https') {
            return true;
        }

        return $scheme === 'http' && ($host === 'localhost' || $host === '::1'
            || (filter_var($host, FILTER_VALIDATE_IP, FILTER_FLAG_IPV4) && strpos($host, '127.') === 0));
    }

    /** True when this provider's webhooks are unsigned unless a webhook secret is configured (NeroPay, Payrexx). */
    protected function webhookSignatureOptional(): bool
    {
        return false;
    }

    /**
     * True when every webhook this gateway accepts carries a verified signature: Noxipay always (§X1), NeroPay
     * and Payrexx when a webhook secret is configured. parseWebhook checks the signature on the raw bytes
     * before parsing, so a body that fails to parse here was still signed by the provider.
     */
    public function webhooksSigned(): bool
    {
        return !$this->webhookSignatureOptional() || $this->getSetting('webhook_secret') !== '';
    }

    /**
     * Perfex builds the list of payment modes through the app_payment_gateways filter (perfex.md "Gateways",
     * initMode) and offers only modes whose `active` is 1. Without the extension this gateway cannot take a
     * payment, so it is listed as inactive whatever its saved setting: the invoice page
     * does not offer it, while the settings page (which lists inactive gateways too) still shows it with the
     * System section. The saved `active` option is not touched, so it is offered again once the extension loads.
     * No parameter type: Perfex's own initMode($modes) has none, the stand-in's has `array` (both compatible).
     */
    public function initMode($modes): array
    {
        $modes = parent::initMode($modes);
        if (!paybridge_extension_loaded()) {
            foreach ($modes as $i => $mode) {
                if (isset($mode['instance']) && $mode['instance'] === $this) {
                    $modes[$i]['active'] = '0';
                }
            }
        }

        return $modes;
    }

    /** The System section: PHP, the extension, and what to install when it is missing. */
    protected function systemHtml(): string
    {
        return Paybridge_system::html();
    }

    /** Status block under the first setting: extension present, webhook URL pattern, webhook health. */
    protected function statusHtml(): string
    {
        $h = static function ($s) {
            return htmlspecialchars((string) $s, ENT_QUOTES, 'UTF-8');
        };
        $html = '';
        if (!paybridge_extension_loaded()) {
            $html .= '<div class="alert alert-danger">' . $h(_l('paybridge_extension_missing')) . '</div>';
        }
        $html .= $this->systemHtml();
        if ($this->webhookSignatureOptional() && $this->getSetting('webhook_secret') === '') {
            // Without a signing key anyone can post webhooks; each costs a rate-limited API read.
            $html .= '<div class="alert alert-warning paybridge-unsigned-webhooks">' . $h(_l('paybridge_webhook_unsigned_warning')) . '</div>';
        }
        $p        = $this->provider();
        $success  = get_option('paybridge_' . $p . '_webhook_last_success');
        $failure  = get_option('paybridge_' . $p . '_webhook_last_failure');
        $reason   = get_option('paybridge_' . $p . '_webhook_last_failure_reason');
        $html .= '<div class="paybridge-webhook-info"><p>' . ($this->hasGlobalWebhookUrl()
                ? $h(_l('paybridge_webhook_url_global_help')) . '<br><code>' . $h(site_url('paybridge/webhook/' . $p)) . '</code>'
                : $h(_l('paybridge_webhook_url_help')) . '<br><code>' . $h(site_url('paybridge/webhook/' . $p . '/')) . '&lt;token&gt;</code>')
            . '</p><p>'
            . $h(_l('paybridge_webhook_last_success')) . ': ' . $h($success !== '' ? $success : _l('paybridge_never'))
            . '<br>' . $h(_l('paybridge_webhook_last_failure')) . ': '
            . $h($failure !== '' ? $failure . ' (' . $reason . ')' : _l('paybridge_never')) . '</p></div>';

        return $html;
    }
}

/**
 * A settings `after` value rendered only when echoed (Perfex's settings view prints `after` as is): the
 * status block then shows translated lines and costs its option reads on the settings page only.
 */
final class Paybridge_lazy_html
{
    private string $before;
    /** @var callable */
    private $build;

    public function __construct(string $before, callable $build)
    {
        $this->before = $before;
        $this->build  = $build;
    }

    public function __toString(): string
    {
        try {
            return $this->before . (string) ($this->build)();
        } catch (Throwable $e) {
            // A status block must never break the settings page.
            return $this->before;
        }
    }
}
