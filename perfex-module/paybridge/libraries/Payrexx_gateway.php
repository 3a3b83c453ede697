<?php

defined('BASEPATH') or exit('No direct script access allowed');

require_once __DIR__ . '/Paybridge_gateway_base.php';

/**
 * Payrexx hosted payment pages (providers.md §P1–§P4). Webhooks go to one URL set in the Payrexx backend
 * and carry no documented signature: they only say which Gateway to re-read (confirmWebhook). An
 * optional webhook signing key (§P4 [3rd]) is checked first when configured.
 */
class Payrexx_gateway extends Paybridge_gateway_base
{
    /**
     * Perfex 3.0.5+ processing fees (perfex.md "Gateways"): App_gateway::setSettings() then adds Perfex's own
     * fee_fixed / fee_percent settings, getFee() applies them and Perfex adds the fee to the amount before
     * process_payment(); Paybridge_fee checks it in minor units.
     */
    public bool $processingFees = true;

    public function __construct()
    {
        parent::__construct();
        $this->setId($this->provider());
        $this->setName('Payrexx');
        $this->setSettings($this->paybridgeSettings([
            ['name' => 'instance', 'label' => 'paybridge_setting_payrexx_instance'],
            ['name' => 'secret_key', 'label' => 'paybridge_setting_secret_key', 'encrypted' => true],
            ['name' => 'webhook_secret', 'label' => 'paybridge_setting_webhook_secret_optional', 'encrypted' => true],
            ['name' => 'base_url', 'label' => 'paybridge_setting_base_url', 'default_value' => 'https://api.payrexx.com/v1.14'],
        ], 'CHF,EUR,USD'));
    }

    /** The attempt's account, so it is never read with another account's credentials: base URL and instance. */
    protected function accountIdentity(): array
    {
        return ['base_url' => rtrim(trim($this->getSetting('base_url')), '/'), 'instance' => trim($this->getSetting('instance'))];
    }

    protected function webhookSignatureOptional(): bool
    {
        return true;
    }

    protected function providerConfig(): array
    {
        return [
            'instance'       => $this->getSetting('instance'),
            'secret_key'     => $this->secret('secret_key'),
            'webhook_secret' => $this->secretList('webhook_secret'),
            'base_url'       => $this->getSetting('base_url'),
        ];
    }

    public function hasGlobalWebhookUrl(): bool
    {
        return true;
    }
}
