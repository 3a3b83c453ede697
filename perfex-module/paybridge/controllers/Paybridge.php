<?php

defined('BASEPATH') or exit('No direct script access allowed');

require_once __DIR__ . '/../libraries/Paybridge_html.php';

/**
 * Staff page: admin/paybridge (admin_url('paybridge'), so an IP restriction on /admin covers it) shows a
 * summary, the checkout attempts (filtered, 50 a page) with a timeline per payment at
 * admin/paybridge/payment/<id> (issue 13 item 6), the latest events, the last cron reconciliation, and lets staff re-check a pending payment with the provider (POST with the CSRF token;
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

    /**
     * Issue 13 item 6: summary (webhook health, last cron run, open / rejected / overpaid attempts, pending
     * refunds), attempts filtered by provider, status and date (GET, validated) 50 to a page, each linked to
     * its invoice and its timeline, the refund action on recorded payments, the System section and re-check.
     */
    public function index()
    {
        if (!staff_can('view', 'payments')) {
            access_denied('payments');
        }
        $this->load->model('paybridge/paybridge_admin_model');
        $this->load->model('paybridge/paybridge_reconcile_model');
        $model   = $this->paybridge_admin_model;
        $filters = $model->filters((array) $this->input->get());
        $total   = $model->count_attempts($filters);
        $pages   = max(1, (int) ceil($total / Paybridge_admin_model::PER_PAGE));
        $page    = min($filters['page'], $pages);
        $data = [
            'filters'    => $filters,
            'total'      => $total,
            'page'       => $page,
            'pages'      => $pages,
            'attempts'   => $model->attempts($filters, $page),
            'events'     => $model->latest_events($filters),
            'counts'     => $model->counts(),
            'health'     => $model->webhook_health(),
            'gateways'   => $this->gateways(),
            'canCreate'  => staff_can('create', 'payments'),
            // Issue 13 item 3: refunds need staff_can('delete', 'payments'); the action is the refund feature's.
            'canRefund'  => staff_can('delete', 'payments'),
            'cronRun'    => get_option('paybridge_cron_last_run'),
            'cron'       => $this->paybridge_reconcile_model->last_summary(),
            // Issue 11 item 6: the running PHP and the extension (escaped HTML, strings via _l()).
            'systemHtml' => Paybridge_system::html(),
        ];
        // Inside Perfex's admin layout (issue 12 item 4: the view goes through the loader, no extract + include).
        init_head();
        $this->load->view('paybridge/admin', $data);
        init_tail();
    }

    /**
     * admin/paybridge/payment/<id> (contract 6). Perfex's router sends that address to controllers/Payment.php,
     * which redirects to timeline(); a router that reaches this method instead gets the same page.
     */
    public function payment($id = 0)
    {
        $this->timeline($id);
    }

    /** Issue 13 item 6: one payment's timeline (the attempt, its events in order, the recorded payment, refunds). */
    public function timeline($id = 0)
    {
        if (!staff_can('view', 'payments')) {
            access_denied('payments');
        }
        $id = is_string($id) && preg_match('/^[1-9]\d{0,9}$/', $id) ? (int) $id : (is_int($id) ? $id : 0);
        $this->load->model('paybridge/paybridge_admin_model');
        $model   = $this->paybridge_admin_model;
        $payment = $id > 0 ? $model->payment($id) : null;
        if ($payment === null) {
            set_alert('warning', _l('paybridge_payment_not_found'));
            redirect(admin_url('paybridge'));
        }
        $data = [
            'payment'   => $payment,
            'events'    => $model->events_of($id),
            'recorded'  => $model->recorded_of($id),
            'refunds'   => $model->refunds_of($id),
            'canRefund' => staff_can('delete', 'payments'),
        ];
        init_head();
        $this->load->view('paybridge/payment', $data);
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
