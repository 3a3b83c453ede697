<?php

defined('BASEPATH') or exit('No direct script access allowed');

require_once __DIR__ . '/Paybridge_money.php';
require_once __DIR__ . '/Paybridge_fee.php';
require_once __DIR__ . '/Paybridge_system.php';
require_once __DIR__ . '/Paybridge_lazy_html.php';
require_once __DIR__ . '/Paybridge_gateway_settings.php';
require_once __DIR__ . '/Paybridge_payment_flow.php';

/**
 * Shared body of the paybridge gateways. A provider gateway (e.g. Neropay_gateway) only declares its
 * settings and how they become the extension's config. Here: the extension client, accounts, secrets,
 * URLs and webhook signing; paying in Paybridge_payment_flow, the settings page in Paybridge_gateway_settings,
 * recording in Paybridge_model. No file of these ends in `_gateway.php` (perfex.md "Gateways").
 */
abstract class Paybridge_gateway_base extends App_gateway
{
    use Paybridge_gateway_settings;
    use Paybridge_payment_flow;

    /**
     * Webhook re-reads: up to ~5 s in all (providers give up on slow endpoints), one retry only when no byte of the
     * request was sent (a cold TLS connection must not become a 503 that burns the provider's few retries).
     */
    public const WEBHOOK_CLIENT = ['timeout_ms' => 2400, 'connect_timeout_ms' => 1000, 'max_retries' => 1, 'retry' => 'unsent'];

    /** Customer-facing calls (create, return URL, admin re-check) may retry with the same idempotency key. */
    public const CUSTOMER_CLIENT = ['timeout_ms' => 15000, 'connect_timeout_ms' => 3000, 'max_retries' => 2];

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

}
