<?php

defined('BASEPATH') or exit('No direct script access allowed');

require_once __DIR__ . '/Paybridge_gateway_base.php';

/**
 * NeroPay payment links (providers.md §N1–§N5). NeroPay documents no webhook signature, so webhooks are
 * only a wake-up call: the module re-reads the link through the API (confirmWebhook) before recording.
 */
class Neropay_gateway extends Paybridge_gateway_base
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
        $this->setName('NeroPay');
        $this->setSettings($this->paybridgeSettings([
            ['name' => 'secret_key', 'label' => 'paybridge_setting_secret_key', 'encrypted' => true],
            ['name' => 'webhook_secret', 'label' => 'paybridge_setting_webhook_secret_optional', 'encrypted' => true],
            ['name' => 'account', 'label' => 'paybridge_setting_neropay_account'],
            ['name' => 'base_url', 'label' => 'paybridge_setting_base_url', 'default_value' => 'https://eu.neropay.app/v2'],
        ], 'EUR,GBP,USD'));
    }

    /** The attempt's account, so it is never read with another account's credentials: base URL and NeroPay-Account. */
    protected function accountIdentity(): array
    {
        return ['base_url' => rtrim(trim($this->getSetting('base_url')), '/'), 'account' => trim($this->getSetting('account'))];
    }

    protected function webhookSignatureOptional(): bool
    {
        return true;
    }

    protected function providerConfig(): array
    {
        return [
            'secret_key'     => $this->secret('secret_key'),
            'webhook_secret' => $this->secretList('webhook_secret'),
            'account'        => $this->getSetting('account'),
            'base_url'       => $this->getSetting('base_url'),
        ];
    }
}
