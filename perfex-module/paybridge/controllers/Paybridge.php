<?php

defined('BASEPATH') or exit('No direct script access allowed');

/**
 * Staff page: admin/paybridge (admin_url('paybridge'), so an IP restriction on /admin covers it) lists checkout attempts and events (outcome + reason code), the last cron
 * reconciliation, and lets staff re-check a pending payment with the provider (POST with the CSRF token;
 * same recording path). Perfex permissions (issue 9 item 7): viewing needs staff_can('view', 'payments'),
 * re-checking (and any later write action) staff_can('create', 'payments'); others get access_denied().
 */
class Paybridge extends AdminController
{
    /**
     * Perfex routes an inactive module's controllers but does not load its init file (issue 10): then
     * nothing of the module is set up, so answer 404 instead of failing on a missing function or class.
     */
    public function __construct()
    {
        parent::__construct();
        // Perfex also routes <module>/… outside /admin to this controller: the page answers only under
        // admin_url(), so an IP restriction on the admin area covers it (issue 10).
        if (!defined('PAYBRIDGE_MODULE_NAME') || $this->uri->segment(1) !== (defined('ADMIN_URI') ? ADMIN_URI : 'admin')) {
            show_404();
        }
    }

    public function index()
    {
        if (!staff_can('view', 'payments')) {
            access_denied('payments');
        }
        $this->load->model('paybridge/paybridge_model');
        $this->load->model('paybridge/paybridge_reconcile_model');
        $data = [
            'attempts'  => $this->paybridge_model->latest_attempts(),
            'events'    => $this->paybridge_model->latest_events(),
            'gateways'  => $this->gateways(),
            'canCreate' => staff_can('create', 'payments'),
            'cronRun'   => get_option('paybridge_cron_last_run'),
            'cron'      => $this->paybridge_reconcile_model->last_summary(),
            // Issue 11 item 6: the running PHP and the extension (escaped HTML, strings via _l()).
            'systemHtml' => Paybridge_system::html(),
        ];
        extract($data);
        init_head();
        include __DIR__ . '/../views/admin.php';
        init_tail();
    }

    public function recheck($id = 0)
    {
        if (!staff_can('create', 'payments')) {
            access_denied('payments');
        }
        if (strtoupper($_SERVER['REQUEST_METHOD'] ?? 'GET') !== 'POST') {
            redirect(admin_url('paybridge'));
        }
        $this->load->model('paybridge/paybridge_model');
        $payment = $this->paybridge_model->find((int) $id);
        $gateways = $this->gateways();
        if ($payment === null || !isset($gateways[$payment->provider]) || (string) $payment->provider_payment_id === '') {
            set_alert('danger', _l('paybridge_recheck_failed'));
            redirect(admin_url('paybridge'));
        }
        $gateway = $gateways[$payment->provider];
        if ($gateway->isOtherAccount($payment)) {
            // Never read another account's attempt with the current credentials (issue 9 item 10).
            $this->paybridge_model->mark_other_account($payment);
            set_alert('danger', _l('paybridge_recheck_other_account'));
            redirect(admin_url('paybridge'));
        }
        try {
            $read   = $gateway->readPayment($payment);
            $result = $this->paybridge_model->record($read, $payment, $gateway, 'recheck');
            if ($result['http'] >= 300) {
                set_alert('danger', _l('paybridge_recheck_failed'));
            } else {
                set_alert('success', _l('paybridge_recheck_done', [(string) $read['status'], $result['result'], $result['reason']]));
            }
        } catch (\PayBridge\Exception\PayBridgeException $e) {
            set_alert('danger', _l('paybridge_recheck_failed') . ' (' . $e->getErrorCode() . ')');
        } catch (Throwable $e) {
            set_alert('danger', _l('paybridge_recheck_failed'));
        }
        redirect(admin_url('paybridge'));
    }

    /** @return array<string, Paybridge_gateway_base> loaded paybridge gateways by provider */
    private function gateways(): array
    {
        $out = [];
        foreach (['neropay', 'payrexx', 'noxipay'] as $provider) {
            $property = $provider . '_gateway';
            if (isset($this->{$property}) && $this->{$property} instanceof Paybridge_gateway_base) {
                $out[$provider] = $this->{$property};
            }
        }

        return $out;
    }
}
