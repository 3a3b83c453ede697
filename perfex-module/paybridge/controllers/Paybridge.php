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
        $this->load->model('paybridge/paybridge_refund_model'); // Paybridge_refund_model::is_stuck() in the view
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

    /** Refund requests: no retry once a byte was sent (Payrexx has no idempotency key; contract 1). */
    private const REFUND_CLIENT = ['timeout_ms' => 15000, 'connect_timeout_ms' => 3000, 'max_retries' => 1, 'retry' => 'unsent'];

    /**
     * admin/paybridge/refund/{paybridge payment id} (contract 6, issue 13 item 3). GET: the confirmation form
     * (amount defaulting to what is still refundable, in the invoice currency; reason; a one-time key).
     * POST (CSRF-checked by Perfex): the pending refund row with that key is committed before the refund API
     * call; a double submit or a retry of the same form reuses the row and the key, so the provider makes one
     * refund. Needs staff_can('delete', 'payments'): a refund takes money back out (403 otherwise).
     */
    public function refund($id = 0)
    {
        if (!staff_can('delete', 'payments')) {
            $this->refund_forbidden();
        }
        $this->load->model('paybridge/paybridge_model');
        $this->load->model('paybridge/paybridge_refund_model');
        $payment  = $this->paybridge_model->find((int) $id);
        $gateways = $this->gateways();
        $back     = admin_url('paybridge');
        $recordId = $payment === null ? null : $this->paybridge_refund_model->payment_record_id($payment);
        if ($payment === null || !isset($gateways[$payment->provider]) || (string) $payment->provider_payment_id === ''
            || $recordId === null) {
            set_alert('danger', _l('paybridge_refund_not_refundable'));
            redirect($back);
        }
        $gateway = $gateways[$payment->provider];
        $model   = $this->paybridge_refund_model;
        $currency = strtoupper((string) $payment->currency);

        if (strtoupper($_SERVER['REQUEST_METHOD'] ?? 'GET') !== 'POST') {
            $refundable = $model->refundable_minor($payment);
            $this->load->view('paybridge/refund', [
                'payment'    => $payment,
                'gateway'    => $gateway,
                'refundable' => Paybridge_money::fromMinor($refundable, $currency),
                'canRefund'  => $refundable > 0 && !$gateway->isOtherAccount($payment),
                'key'        => bin2hex(random_bytes(16)),
                'refunds'    => $model->for_payment((int) $payment->id),
                'recordId'   => $recordId,
            ]);

            return;
        }

        $form = admin_url('paybridge/refund/' . (int) $payment->id);
        $key  = (string) $this->input->post('refund_key');
        $reason = self::clean_reason((string) $this->input->post('reason'));
        try {
            $minor = Paybridge_money::toMinor(trim((string) $this->input->post('amount')), $currency);
            if ($minor <= 0 || Paybridge_refund_model::perfexAmount($minor, $currency) === null) {
                throw new InvalidArgumentException('invalid_amount');
            }
        } catch (InvalidArgumentException $e) {
            set_alert('danger', _l('paybridge_refund_invalid_amount'));
            redirect($form);
        }
        if ($gateway->isOtherAccount($payment) || !paybridge_extension_loaded()) {
            set_alert('danger', _l('paybridge_refund_not_refundable'));
            redirect($form);
        }
        try {
            [$row, $error] = $model->start_admin_refund($payment, $key, $minor, $reason, (int) get_staff_user_id());
        } catch (Throwable $e) {
            log_message('error', 'paybridge: refund row not stored (' . get_class($e) . ')');
            set_alert('danger', _l('paybridge_refund_failed', 'database_unavailable'));
            redirect($form);
        }
        if ($row === null) {
            // Checked before any provider request: nothing was sent.
            set_alert('danger', $error === 'refund_exceeds_refundable'
                ? _l('paybridge_refund_exceeds', [Paybridge_money::fromMinor($model->refundable_minor($payment), $currency), $currency])
                : _l('paybridge_refund_failed', $error));
            redirect($form);
        }
        if ($row->status === 'pending' && $row->provider_refund_id === null && $row->api_attempt_at !== null
            && strtotime((string) $row->api_attempt_at) < time() - Paybridge_refund_model::IN_FLIGHT_SECONDS) {
            // A request of this form was sent over 60 s ago (no longer in flight: claim_api_call's window, the
            // refund client times out after 15 s) and its outcome is unknown (timeout, lost answer). Payrexx
            // takes no idempotency key (contract 1: validated, not sent), so sending again could refund twice:
            // first re-read the payment and book what the provider has (Paybridge_refund_model::sync() ties a
            // refund of the same amount to this row); only a row still without a provider refund is sent again.
            $row = $this->settle_before_retry($row, $payment, $gateway);
        }
        if ($row->status !== 'pending' || $row->provider_refund_id !== null) {
            // The same form again: its refund already has an answer; never a second request.
            set_alert($row->status === 'failed' ? 'danger' : 'success', _l('paybridge_refund_already', [(string) $row->status, (string) $row->provider_refund_id]));
            redirect($back);
        }
        $this->send_refund($row, $payment, $gateway, $back);
    }

    /**
     * Sends the refund request of a pending admin row with its stored idempotency key (contract 1) and
     * books the answer. Shared by the form's POST and the Retry of a stuck row. @return never (redirects)
     */
    private function send_refund(object $row, object $payment, Paybridge_gateway_base $gateway, string $back): void
    {
        $model    = $this->paybridge_refund_model;
        $currency = strtoupper((string) $payment->currency);
        if (!$model->claim_api_call($row)) {
            set_alert('warning', _l('paybridge_refund_in_progress'));
            redirect($back);
        }
        try {
            $answer = $gateway->client(self::REFUND_CLIENT)->refundPayment((string) $payment->provider_payment_id, [
                'amount'          => (int) $row->amount_minor,
                'reason'          => (string) $row->reason,
                'idempotency_key' => (string) $row->idempotency_key,
            ]);
        } catch (\PayBridge\Exception\TransportException $e) {
            // The request may have reached the provider: the row stays pending (webhook, cron or a retry of
            // this form with the same key settles it).
            $model->api_unsettled($row, $e->getErrorCode());
            set_alert('warning', _l('paybridge_refund_unsettled', $e->getErrorCode()));
            redirect($back);
        } catch (\PayBridge\Exception\ApiException $e) {
            if ($e->getHttpStatus() >= 500 || $e->getHttpStatus() === 429) {
                $model->api_unsettled($row, $e->getErrorCode());
                set_alert('warning', _l('paybridge_refund_unsettled', $e->getErrorCode()));
            } else {
                $model->api_refused($row, $e->getErrorCode());
                set_alert('danger', _l('paybridge_refund_failed', $e->getErrorCode()));
            }
            redirect($back);
        } catch (\PayBridge\Exception\PayBridgeException $e) {
            // Refused before any refund request (refund_exceeds_refundable, payment_not_refundable,
            // currency_mismatch, config): nothing happened at the provider.
            $model->api_refused($row, $e->getErrorCode());
            set_alert('danger', $e->getErrorCode() === 'refund_exceeds_refundable'
                ? _l('paybridge_refund_exceeds_at_provider') : _l('paybridge_refund_failed', $e->getErrorCode()));
            redirect($back);
        } catch (Throwable $e) {
            log_message('error', 'paybridge: refund request failed (' . get_class($e) . ')');
            $model->api_unsettled($row, 'internal_error');
            set_alert('warning', _l('paybridge_refund_unsettled', 'internal_error'));
            redirect($back);
        }
        $asked = (int) $row->amount_minor;
        try {
            $row = $model->apply_api_answer($row, $answer, $payment, $gateway);
        } catch (Throwable $e) {
            // The refund exists at the provider; its webhook or the cron books it.
            log_message('error', 'paybridge: refund answer not stored (' . get_class($e) . ')');
            set_alert('warning', _l('paybridge_refund_unsettled', 'database_unavailable'));
            redirect($back);
        }
        $status = (string) ($answer['status'] ?? 'pending');
        if ((int) $row->amount_minor !== $asked) {
            // The provider answered another amount than was asked: that amount is booked (apply()); say so.
            set_alert('warning', _l('paybridge_refund_amount_differs', [Paybridge_money::fromMinor($asked, $currency) . ' ' . $currency,
                Paybridge_money::fromMinor((int) $row->amount_minor, $currency) . ' ' . $currency, (string) ($answer['id'] ?? '')]));
            redirect($back);
        }
        set_alert($status === 'failed' ? 'danger' : ($status === 'succeeded' ? 'success' : 'warning'),
            _l('paybridge_refund_result_' . (in_array($status, ['succeeded', 'failed'], true) ? $status : 'pending'),
                [Paybridge_money::fromMinor((int) $row->amount_minor, $currency) . ' ' . $currency, (string) ($answer['id'] ?? '')]));
        redirect($back);
    }

    /**
     * POST admin/paybridge/refund_retry/{refund row id}: sends a stuck admin refund again (Paybridge_refund_model::is_stuck,
     * e.g. its request never reached the provider: connection refused, 5xx) with the SAME stored idempotency
     * key, so NeroPay and Noxipay replay rather than refund twice. Payrexx takes no key (contract 1), so the
     * payment is re-read first and a refund the provider made for the row is attached to it instead
     * (settle_before_retry, the same rule as a resubmitted form past the 60 s window).
     */
    public function refund_retry($rowId = 0)
    {
        [$row, $payment, $gateway, $back] = $this->stuck_refund_row((int) $rowId);
        $row = $this->settle_before_retry($row, $payment, $gateway);
        if ($row->status !== 'pending' || $row->provider_refund_id !== null) {
            set_alert($row->status === 'failed' ? 'danger' : 'success', _l('paybridge_refund_already', [(string) $row->status, (string) $row->provider_refund_id]));
            redirect($back);
        }
        $this->send_refund($row, $payment, $gateway, $back);
    }

    /**
     * POST admin/paybridge/refund_cancel/{refund row id}: gives up a stuck admin refund, freeing its amount.
     * Only after a re-read of the payment (handed to the recording path, which attaches a refund of the
     * row's amount to it) shows no refund for it: money the provider did return is never cancelled away.
     */
    public function refund_cancel($rowId = 0)
    {
        [$row, $payment, $gateway, $back] = $this->stuck_refund_row((int) $rowId);
        $row = $this->settle_before_retry($row, $payment, $gateway);
        if ($row->status !== 'pending' || $row->provider_refund_id !== null || !$this->paybridge_refund_model->cancel_stuck($row)) {
            set_alert('warning', _l('paybridge_refund_cancel_refused', [(string) $row->status, (string) $row->provider_refund_id]));
            redirect($back);
        }
        log_activity(_l('paybridge_activity_refund_cancelled', [$gateway->getName(), (string) $row->id,
            Paybridge_money::fromMinor((int) $row->amount_minor, (string) $row->currency) . ' ' . $row->currency,
            format_invoice_number((int) $payment->invoice_id), (string) get_staff_user_id()]));
        set_alert('success', _l('paybridge_refund_cancelled'));
        redirect($back);
    }

    /**
     * The checks shared by Retry and Cancel: POST only (CSRF is checked by Perfex on every POST), the
     * refund permission, a stuck admin refund row of a payment this module recorded.
     * @return array{0:object,1:object,2:Paybridge_gateway_base,3:string} row, payment, gateway, the form's url
     */
    private function stuck_refund_row(int $rowId): array
    {
        if (!staff_can('delete', 'payments')) {
            $this->refund_forbidden();
        }
        $this->load->model('paybridge/paybridge_model');
        $this->load->model('paybridge/paybridge_refund_model');
        $row      = $this->paybridge_refund_model->find($rowId);
        $payment  = $row ? $this->paybridge_model->find((int) $row->payment_row_id) : null;
        $gateways = $this->gateways();
        if (strtoupper($_SERVER['REQUEST_METHOD'] ?? 'GET') !== 'POST' || $row === null || $payment === null
            || !isset($gateways[$payment->provider]) || !paybridge_extension_loaded()) {
            set_alert('danger', _l('paybridge_refund_not_refundable'));
            redirect(admin_url('paybridge'));
        }
        $back = admin_url('paybridge/refund/' . (int) $payment->id);
        if (!Paybridge_refund_model::is_stuck($row)) {
            set_alert('warning', _l('paybridge_refund_not_stuck'));
            redirect($back);
        }

        return [$row, $payment, $gateways[$payment->provider], $back];
    }

    /**
     * Re-reads the payment of a refund row whose earlier request has an unknown outcome and hands the read to
     * the recording path (contract 5: record() -> Paybridge_refund_model::sync()), so a refund the provider
     * made for that request is attached to the row before anything is sent again. When the read fails the
     * refund is not sent again now (never a second refund on a guess): staff retry later.
     * @return object the row as it is now
     */
    private function settle_before_retry(object $row, object $payment, Paybridge_gateway_base $gateway): object
    {
        try {
            $read = $gateway->readPayment($payment);
            $result = $this->paybridge_model->record($read, $payment, $gateway, 'recheck');
            if ($result['http'] >= 300) {
                throw new RuntimeException('record_failed');
            }
        } catch (Throwable $e) {
            log_message('error', 'paybridge: refund retry re-read failed (' . get_class($e) . ')');
            set_alert('warning', _l('paybridge_refund_unsettled', $e instanceof \PayBridge\Exception\PayBridgeException ? $e->getErrorCode() : 'reread_failed'));
            redirect(admin_url('paybridge'));
        }

        return $this->paybridge_refund_model->find((int) $row->id) ?? $row;
    }

    /**
     * The staff's refund reason as the provider and the refund row may take it: valid UTF-8, every control
     * character (a pasted TAB or line break; the extension refuses them, contract 1 / core refund.rs) turned
     * into one space, at most 255 characters (core MAX_REASON_CHARS, the column). Unicode text is kept.
     */
    private static function clean_reason(string $reason): string
    {
        if (!mb_check_encoding($reason, 'UTF-8')) {
            $reason = mb_convert_encoding($reason, 'UTF-8', 'UTF-8');
        }
        $reason = (string) preg_replace('/[\p{Cc}\x{2028}\x{2029}]+/u', ' ', $reason);

        return mb_substr(trim((string) preg_replace('/ {2,}/', ' ', $reason)), 0, 255);
    }

    /** @return never 403 inside the admin layout (issue 13: refunds need staff_can('delete', 'payments')). */
    private function refund_forbidden(): void
    {
        http_response_code(403);
        init_head();
        echo '<div id="wrapper"><div class="content"><div class="alert alert-danger" id="paybridge-refund-forbidden">'
            . htmlspecialchars(_l('paybridge_refund_forbidden'), ENT_QUOTES, 'UTF-8') . '</div></div></div>';
        init_tail();
        exit;
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
