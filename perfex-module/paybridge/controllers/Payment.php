<?php

defined('BASEPATH') or exit('No direct script access allowed');

/**
 * The customer's browser comes back here from the hosted checkout:
 * GET paybridge/payment/return_url/<provider>/<token> (`return` is a PHP keyword, hence return_url).
 * The payment is re-read through the API and goes through the same recording path as webhooks.
 */
class Payment extends App_Controller
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

    /**
     * CodeIgniter calls this instead of the method itself. The staff timeline's address
     * admin/paybridge/payment/<id> (contract 6) reaches this controller, not Paybridge::payment(): Perfex's
     * module router (MX) prefers controllers/Payment.php for the segment "payment". Under the admin URL it
     * only redirects to admin/paybridge/timeline/<id>, where AdminController and the staff checks are;
     * nothing is read here. Everywhere else only return_url exists.
     */
    public function _remap($method, $params = []): never
    {
        if ($this->uri->segment(1) === (defined('ADMIN_URI') ? ADMIN_URI : 'admin')) {
            redirect(admin_url('paybridge/timeline/' . (preg_match('/^[1-9]\d{0,9}$/', (string) $method) ? (string) $method : '0')));
        }
        if ($method === 'return_url') {
            $params = array_values($params);
            $this->return_url($params[0] ?? '', $params[1] ?? '');
        }
        show_404();
    }

    public function return_url($provider = '', $token = ''): never
    {
        $gatewayProperty = preg_match('/^[a-z]+$/', (string) $provider) ? $provider . '_gateway' : '';
        $gateway = $gatewayProperty !== '' ? ($this->{$gatewayProperty} ?? null) : null;
        if (!$gateway instanceof Paybridge_gateway_base) {
            show_404();
        }
        $this->load->model('paybridge/paybridge_model');
        // The return URL's own token: the webhook URL's token opens nothing here, so a leaked webhook URL
        // does not lead to the invoice (README "Unsigned webhooks, tokens and accounts").
        $payment = $this->paybridge_model->find_by_return_token($provider, (string) $token);
        if ($payment === null) {
            show_404();
        }
        $invoiceUrl = $this->paybridge_model->invoice_url((int) $payment->invoice_id);

        try {
            [$type, $key] = $this->confirm($gateway, $payment);
        } catch (Throwable $e) {
            // Whatever failed, the customer gets the invoice page and a neutral message, never a 500 page
            // or an exception message (style.md).
            log_message('error', 'paybridge: return URL failed (' . get_class($e) . ')');
            [$type, $key] = ['warning', 'paybridge_payment_pending'];
        }
        set_alert($type, $this->customerLine((int) $payment->invoice_id, $key));
        redirect($invoiceUrl);
    }

    /**
     * The alert in the invoice customer's language: this App_Controller runs with the admin
     * language; load_client_language($customerId) loads the customer's default language and fires
     * after_load_client_language, where register_language_files() loads our lines in it.
     */
    private function customerLine(int $invoiceId, string $key): string
    {
        try {
            $invoice = $this->db->select('clientid')->where('id', $invoiceId)->get(db_prefix() . 'invoices')->row();
            if ($invoice && (int) $invoice->clientid > 0) {
                load_client_language((int) $invoice->clientid);
            }
        } catch (Throwable $e) {
            log_message('error', 'paybridge: customer language not loaded (' . get_class($e) . ')');
        }

        return _l($key);
    }

    /** @return array{0:string,1:string} alert type and language key */
    private function confirm(Paybridge_gateway_base $gateway, object $payment): array
    {
        if (!paybridge_extension_loaded()) {
            return ['danger', 'paybridge_extension_missing'];
        }
        if ((string) $payment->provider_payment_id === '') {
            return ['danger', 'paybridge_payment_failed'];
        }
        if ($gateway->isOtherAccount($payment)) {
            // Never read another account's attempt with the current credentials; staff see it on the admin page.
            $this->paybridge_model->mark_other_account($payment);

            return ['warning', 'paybridge_payment_review'];
        }
        try {
            $read = $gateway->readPayment($payment);
        } catch (Throwable $e) {
            // The webhook will still record it; the customer sees "being confirmed".
            return ['warning', 'paybridge_payment_pending'];
        }
        $result = $this->paybridge_model->record($read, $payment, $gateway, 'return');
        if ($result['http'] >= 300) {
            return ['warning', 'paybridge_payment_pending'];
        }
        switch ((string) ($read['status'] ?? '')) {
            case 'paid':
                return $result['result'] === 'rejected'
                    ? ['warning', 'paybridge_payment_review']
                    : ['success', 'paybridge_payment_paid'];
            case 'pending':
            case 'authorized':
                return ['warning', 'paybridge_payment_pending'];
            case 'failed':
            case 'cancelled':
                return ['danger', 'paybridge_payment_not_completed'];
            default:
                return ['warning', 'paybridge_payment_review'];
        }
    }
}
