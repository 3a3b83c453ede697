<?php

defined('BASEPATH') or exit('No direct script access allowed');

class Payments_model extends App_Model
{
    /**
     * Inserts a payment record (only real tblinvoicepaymentrecords columns: an unknown key makes the insert
     * throw), sets daterecorded, forces date to today when no staff member records it, runs the
     * before_payment_recorded filter, update_invoice_status() and the after_payment_added action.
     * @return int|false the payment id
     */
    public function add($data, $subscription = false)
    {
        unset($data['do_not_send_email_template'], $data['do_not_redirect']);
        if (!is_staff_logged_in() || empty($data['date'])) {
            $data['date'] = date('Y-m-d');
        } else {
            $data['date'] = to_sql_date($data['date']);
        }
        $data['daterecorded'] = date('Y-m-d H:i:s');
        $data = hooks()->apply_filters('before_payment_recorded', $data);

        $this->db->insert(db_prefix() . 'invoicepaymentrecords', $data);
        $insert_id = $this->db->insert_id();
        if (!$insert_id) {
            return false;
        }
        update_invoice_status($data['invoiceid']);
        log_activity('Payment Recorded [ID:' . $insert_id . ', Invoice Number: ' . format_invoice_number($data['invoiceid'])
            . ', Total: ' . $data['amount'] . ']', is_staff_logged_in() ? null : 'System');
        $this->side_effects((int) $data['invoiceid'], (int) $insert_id);
        hooks()->do_action('after_payment_added', $insert_id);
        return $insert_id;
    }

    /**
     * What real Perfex does inside add() before it returns (perfex.md "Added in turn 2"): builds the payment
     * PDF, e-mails the customer's contacts (Invoice_payment_recorded_to_customer), triggers SMS and notifies
     * staff. The stand-in spends the time (option standin_payment_add_cost_ms, default 200 ms) and logs one
     * "sent" e-mail per active contact in tblstandin_mail_log, on a separate autocommit connection: a rollback
     * of the caller's transaction cannot undo it, as it cannot unsend a mail (issue 10 item 7, issue 15). The mail is logged
     * first, then the cost is spent: a database node dying during add() leaves a payment whose mail went out.
     */
    private function side_effects(int $invoiceId, int $paymentId): void
    {
        $invoice = $this->db->select('clientid')->where('id', $invoiceId)->get(db_prefix() . 'invoices')->row();
        $contacts = $invoice ? $this->db->select('email')->where(['userid' => (int) $invoice->clientid, 'active' => 1])
            ->get(db_prefix() . 'contacts')->result_array() : [];
        if ($contacts) {
            $this->log_mails($invoiceId, $paymentId, $contacts);
        }
        // The rest of the work (staff PDF copy, SMS, staff notices) after the customer's mail went out.
        $cost = get_option('standin_payment_add_cost_ms');
        usleep(1000 * ($cost === '' ? 200 : max(0, min(30000, (int) $cost))));
    }

    private function log_mails(int $invoiceId, int $paymentId, array $contacts): void
    {
        // A connection of its own, in autocommit: a rollback of the caller's transaction cannot unsend the
        // mail, and (unlike the MyISAM table this was before) a Galera cluster replicates the row (issue 15).
        $mail = mysqli_init();
        $mail->options(MYSQLI_OPT_CONNECT_TIMEOUT, 3);
        $mail->real_connect('localhost', APP_DB_USERNAME, APP_DB_PASSWORD, APP_DB_NAME, 0, APP_DB_SOCKET);
        $mail->set_charset('utf8mb4');
        $st = $mail->prepare('INSERT INTO ' . db_prefix() . 'standin_mail_log (template, invoiceid, paymentid, email, sent_at) VALUES (?, ?, ?, ?, ?)');
        foreach ($contacts as $c) {
            $template = 'Invoice_payment_recorded_to_customer';
            $email    = (string) $c['email'];
            $at       = date('Y-m-d H:i:s');
            $st->bind_param('siiss', $template, $invoiceId, $paymentId, $email, $at);
            $st->execute();
        }
        $mail->close();
    }

    public function get($id)
    {
        $row = $this->db->select('*, ' . db_prefix() . 'invoicepaymentrecords.id as paymentid')
            ->where(db_prefix() . 'invoicepaymentrecords.id', $id)->get(db_prefix() . 'invoicepaymentrecords')->row();
        if ($row) {
            $row->name = $this->mode_name((string) $row->paymentmode);
        }
        return $row;
    }

    public function transaction_exists($transactionId, $invoiceId = null): bool
    {
        $this->db->where('transactionid', $transactionId);
        if ($invoiceId !== null) {
            $this->db->where('invoiceid', $invoiceId);
        }
        return $this->db->count_all_results(db_prefix() . 'invoicepaymentrecords') > 0;
    }

    /** Rows of tblinvoicepaymentrecords plus paymentid and the payment mode's display name. */
    public function get_invoice_payments($invoiceid): array
    {
        $rows = $this->db->select('*, ' . db_prefix() . 'invoicepaymentrecords.id as paymentid')
            ->where('invoiceid', $invoiceid)->order_by(db_prefix() . 'invoicepaymentrecords.id', 'asc')
            ->get(db_prefix() . 'invoicepaymentrecords')->result_array();
        foreach ($rows as &$r) {
            $r['name'] = $this->mode_name((string) $r['paymentmode']);
        }
        return $rows;
    }

    private function mode_name(string $mode): string
    {
        $this->load->model('payment_modes_model');
        $m = $this->payment_modes_model->get($mode, [], true);
        return $m ? (string) (is_array($m) ? $m['name'] : $m->name) : $mode;
    }

    /**
     * Customer pressed Pay on invoice/<id>/<hash>. Like real Perfex 3.x (issue 10 stand-in item 2) this checks
     * only that a gateway was chosen: NOT the invoice status, NOT that the mode is allowed for the invoice,
     * NOT that the amount is at most what is left to pay (the form is `novalidate`). The amount is the POSTed
     * one when allow_payment_amount_to_be_modified is on (else total_left_to_pay), then
     * `gateway_fee = getFee(amount)` and `amount += gateway_fee`, so the gateway receives a FLOAT
     * (getFee() returns 0.0 without processing fees). The gateway's process_payment() must check the rest.
     */
    public function process_payment($data, $invoiceid = '')
    {
        $this->load->model('invoices_model');
        $this->load->model('payment_modes_model');
        $this->load->model('payment_attempts_model');
        $invoice = $this->invoices_model->get($invoiceid);
        if (!$invoice) {
            show_404();
        }
        $back = 'invoice/' . $invoice->id . '/' . $invoice->hash;
        $mode = isset($data['paymentmode']) ? (string) $data['paymentmode'] : '';
        if ($mode === '') {
            set_alert('warning', _l('invoice_html_payment_modes_not_selected'));
            redirect($back);
        }
        $gateway = $this->payment_modes_model->get($mode);
        if (!$gateway || is_numeric($mode) || !isset($gateway->instance)) {
            // Perfex would call a method on a missing instance; the stand-in just goes back.
            set_alert('warning', _l('invoice_payment_mode_not_allowed'));
            redirect($back);
        }

        if (!isset($data['amount']) || get_option('allow_payment_amount_to_be_modified') != '1') {
            $data['amount'] = get_invoice_total_left_to_pay($invoice->id, $invoice->total);
        }
        // As in Perfex: a non-numeric amount is a TypeError here (a 500), a numeric one becomes a float.
        $data['gateway_fee'] = $gateway->instance->getFee($data['amount']);
        $data['invoiceid']   = (int) $invoice->id;
        $data['invoice']     = $invoice;
        $data['payment_attempt'] = $this->payment_attempts_model->add([
            'reference'       => app_generate_hash(),
            'invoice_id'      => $invoice->id,
            'amount'          => $data['amount'],
            'fee'             => $data['gateway_fee'],
            'payment_gateway' => $mode,
        ]);
        $data['amount'] += $data['gateway_fee'];
        $data = hooks()->apply_filters('before_process_gateway_func', $data);

        return $gateway->instance->process_payment($data);
    }
}
