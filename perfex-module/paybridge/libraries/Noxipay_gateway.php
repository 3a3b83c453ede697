<?php

defined('BASEPATH') or exit('No direct script access allowed');

require_once __DIR__ . '/Paybridge_gateway_base.php';

/**
 * Noxipay payments (providers.md §X1, §X2). Webhooks are signed (`X-Noxipay-Signature`, HMAC-SHA256 with
 * the webhook secret, required) and go to one URL set in the Noxipay dashboard; the module still re-reads
 * the payment (confirmWebhook) so the amount and currency recorded are the API's.
 */
class Noxipay_gateway extends Paybridge_gateway_base
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
        $this->setName('Noxipay');
        $this->setSettings($this->paybridgeSettings([
            ['name' => 'secret_key', 'label' => 'paybridge_setting_secret_key', 'encrypted' => true],
            ['name' => 'webhook_secret', 'label' => 'paybridge_setting_webhook_secret_required', 'encrypted' => true],
            ['name' => 'base_url', 'label' => 'paybridge_setting_base_url', 'default_value' => 'https://api.noxipay.com/v1'],
        ], 'EUR,USD,GBP'));
    }

    protected function providerConfig(): array
    {
        return [
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
