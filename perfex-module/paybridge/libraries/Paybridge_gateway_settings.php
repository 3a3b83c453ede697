<?php

defined('BASEPATH') or exit('No direct script access allowed');

/**
 * The settings page side of Paybridge_gateway_base: the settings every paybridge gateway adds around its
 * provider's own ones, and the status block (extension, System section, webhook URL and health) shown under
 * the first setting (perfex.md "Gateways").
 */
trait Paybridge_gateway_settings
{
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
