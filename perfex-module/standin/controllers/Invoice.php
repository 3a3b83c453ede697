<?php

defined('BASEPATH') or exit('No direct script access allowed');

/** Customer invoice page invoice/<id>/<hash>: shows the invoice and posts Pay to process_payment(). */
class Invoice extends ClientsController
{
    public function index($id = '', $hash = '')
    {
        check_invoice_restrictions($id, $hash);
        $this->load->model('invoices_model');
        $this->load->model('payments_model');
        $back = 'invoice/' . $id . '/' . $hash;

        if ($this->input->post('make_payment') !== null) {
            if (!$this->input->post('paymentmode')) {
                set_alert('warning', _l('invoice_html_payment_modes_not_selected'));
                redirect($back);
            }
            ob_start();
            $this->payments_model->process_payment($this->input->post(), $id);
            // The gateway normally redirects; one that prints a page (auto-submitting form) keeps its output.
            if (ob_get_length() > 0) {
                ob_end_flush();
                return;
            }
            ob_end_clean();
            redirect($back);
        }

        $invoice = $this->invoices_model->get($id);
        $gateways = [];
        foreach ($this->payment_modes_model->get_payment_gateways() as $g) {
            if (is_payment_mode_allowed_for_invoice($g['id'], $invoice->id)) {
                $gateways[] = $g;
            }
        }
        $payable = !in_array((int) $invoice->status, [Invoices_model::STATUS_PAID, Invoices_model::STATUS_CANCELLED, Invoices_model::STATUS_DRAFT], true)
            && standin_decimal_cmp($invoice->total_left_to_pay, '0') > 0;
        $this->load->view('invoice', [
            'title'    => format_invoice_number($invoice->id),
            'invoice'  => $invoice,
            'gateways' => $gateways,
            'payable'  => $payable,
            'amount_editable' => get_option('allow_payment_amount_to_be_modified') == '1',
        ]);
    }
}
