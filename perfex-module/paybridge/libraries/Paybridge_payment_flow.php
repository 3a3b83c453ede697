<?php

defined('BASEPATH') or exit('No direct script access allowed');

/**
 * The payment flow of Paybridge_gateway_base: Perfex's Pay button (process_payment, perfex.md "Paying" and
 * "process_payment flow"), what addPayment() is given for a verified payment, and the API read the return
 * URL, the admin re-check and the cron use. The attempt row exists before the provider is called.
 */
trait Paybridge_payment_flow
{
    /** The authoritative payment read for the return URL, the admin re-check and the cron. */
    public function readPayment(object $payment): array
    {
        if ($this->isOtherAccount($payment)) {
            // Callers check isOtherAccount() first; this keeps any other caller from reading it anyway.
            throw new UnexpectedValueException('other_account');
        }
        // The extension reports a paid payment's settled amount and currency, not the requested ones.
        $read = $this->client(self::CUSTOMER_CLIENT)->retrievePayment((string) $payment->provider_payment_id);

        return $read + ['verified' => 'api'];
    }

    /**
     * Perfex calls this when the customer presses Pay (perfex.md "Paying"). The payment row (token +
     * idempotency key) exists before the provider is called, so a retry or a lost answer never loses track.
     */
    public function process_payment($data): never
    {
        $invoice    = $data['invoice'] ?? null;
        $invoiceId  = (int) ($data['invoiceid'] ?? ($invoice->id ?? 0));
        $invoiceUrl = $invoice ? site_url('invoice/' . $invoice->id . '/' . $invoice->hash) : site_url();

        if (!paybridge_extension_loaded()) {
            set_alert('danger', _l('paybridge_extension_missing'));
            redirect($invoiceUrl);
        }
        if (!$invoice || $invoiceId <= 0) {
            set_alert('danger', _l('paybridge_payment_failed'));
            redirect($invoiceUrl);
        }

        // Real Perfex checks none of this before calling us (perfex.md "process_payment flow"):
        // the invoice's state, whether this mode is allowed on it, and the amount are ours to refuse,
        // before any provider call.
        if (in_array((int) $invoice->status, [2, 5, 6], true)) { // STATUS_PAID, STATUS_CANCELLED, STATUS_DRAFT
            set_alert('danger', _l('paybridge_payment_invoice_not_payable'));
            redirect($invoiceUrl);
        }
        if (!is_payment_mode_allowed_for_invoice($this->getId(), $invoiceId)) {
            set_alert('danger', _l('paybridge_payment_mode_not_allowed'));
            redirect($invoiceUrl);
        }

        $currency = strtoupper((string) $invoice->currency_name);
        $allowed  = array_filter(array_map('strtoupper', array_map('trim', explode(',', $this->getSetting('currencies')))));
        $perfexAttempt = $data['payment_attempt'] ?? null; // Perfex 3.0.5+ (perfex.md "process_payment flow")
        try {
            if ($allowed && !in_array($currency, $allowed, true)) {
                throw new InvalidArgumentException('unsupported_currency');
            }
            // Perfex's floats (amount + gateway fee, the fee itself) become decimal strings and minor units
            // exactly once, here (Paybridge_fee says how the fee is rounded and checked); an invoice part with
            // more decimals than the currency has is refused, never rounded (Paybridge_money::payAmount).
            $split = Paybridge_fee::split($data['amount'] ?? '', $data['gateway_fee'] ?? null,
                is_object($perfexAttempt) && isset($perfexAttempt->amount) ? $perfexAttempt->amount : null, $currency,
                $this->processingFees ? [$this->getSetting('fee_fixed'), $this->getSetting('fee_percent')] : null);
            // What the provider charges: the invoice part plus the fee. `amount` keeps
            // meaning "the same amount as amount_minor" on the attempt row; fee_minor is the fee in it.
            $amount      = $split['charged'];
            $amountMinor = $split['charged_minor'];
            // Left to pay (bcsub string, may be 0 or negative), in Perfex's 2-decimal cents.
            $leftCents = Paybridge_money::cents((string) get_invoice_total_left_to_pay($invoiceId, $invoice->total));
            if ($leftCents <= 0) {
                throw new InvalidArgumentException('nothing_left');
            }
        } catch (InvalidArgumentException $e) {
            $m = $e->getMessage();
            if ($m === 'fee_mismatch') {
                // Never charge a fee the module cannot explain from the gateway's fee settings.
                log_message('error', 'paybridge: ' . $this->provider() . ' gateway fee does not match its fee settings');
            }
            set_alert('danger', _l($m === 'unsupported_currency' ? 'paybridge_payment_invalid_currency'
                : ($m === 'nothing_left' ? 'paybridge_payment_invoice_not_payable'
                : ($m === 'fee_mismatch' ? 'paybridge_payment_fee_mismatch' : 'paybridge_payment_invalid_amount'))));
            redirect($invoiceUrl);
        }
        if (Paybridge_money::cents($split['base']) > $leftCents) {
            set_alert('danger', _l('paybridge_payment_amount_over_left'));
            redirect($invoiceUrl);
        }

        // A database error here must not become a 500 page for the customer (style.md).
        try {
            $this->ci->load->model('paybridge/paybridge_model');
            $model = $this->ci->paybridge_model;
            $row   = $model->create_attempt($this->provider(), $invoiceId, $amount, $amountMinor, $currency, $this->accountKey(),
                is_object($perfexAttempt) && isset($perfexAttempt->id) ? (int) $perfexAttempt->id : null, $split['fee_minor']);
        } catch (Throwable $e) {
            log_message('error', 'paybridge: ' . $this->provider() . ' attempt not stored: ' . get_class($e));
            set_alert('danger', _l('paybridge_payment_failed'));
            redirect($invoiceUrl);
        }

        $invoiceNumber = format_invoice_number($invoice);
        $description   = str_replace('{invoice_number}', $invoiceNumber, $this->getSetting('description_dashboard'));
        $request = [
            'amount'          => Paybridge_money::fromMinor($amountMinor, $currency),
            'currency'        => $currency,
            'reference'       => $row->reference,
            'description'     => $description !== '' ? $description : $invoiceNumber,
            'success_url'     => $this->returnUrl($row->return_token),
            'cancel_url'      => $invoiceUrl,
            'notify_url'      => $this->webhookUrl($row->token),
            'idempotency_key' => $row->idempotency_key,
            'metadata'        => ['invoice_id' => (string) $invoiceId, 'invoice_number' => $invoiceNumber],
        ];
        $customer = array_filter([
            'name' => isset($invoice->client->company) ? (string) $invoice->client->company : '',
        ], 'strlen');
        if ($customer) {
            $request['customer'] = $customer;
        }

        $checkoutUrl = null;
        try {
            $payment     = $this->client(self::CUSTOMER_CLIENT)->createPayment($request);
            $checkoutUrl = (string) ($payment['checkout_url'] ?? '');
            if ($checkoutUrl === '' || (string) ($payment['id'] ?? '') === '') {
                throw new UnexpectedValueException('invalid_response');
            }
            if (!self::isSafeCheckoutUrl($checkoutUrl)) {
                // The customer is never sent to a plain-http page (README "HTTP safety"); nothing was paid yet.
                $model->attempt_failed($row, 'insecure_checkout_url');
                log_message('error', 'paybridge: ' . $this->provider() . ' returned a checkout URL that is not https');
                $checkoutUrl = null;
            } else {
                $model->attempt_created($row, (string) $payment['id'], $checkoutUrl, (string) ($payment['status'] ?? 'pending'));
            }
        } catch (\PayBridge\Exception\PayBridgeException $e) {
            // Only the stable code is kept: provider messages could echo request data.
            $this->attemptFailedQuietly($model, $row, $e->getErrorCode());
            $checkoutUrl = null;
        } catch (Throwable $e) {
            $this->attemptFailedQuietly($model, $row, 'internal_error');
            log_message('error', 'paybridge: ' . $this->provider() . ' create failed: ' . get_class($e));
            $checkoutUrl = null;
        }

        if ($checkoutUrl === null) {
            set_alert('danger', _l('paybridge_payment_failed'));
            redirect($invoiceUrl);
        }
        redirect($checkoutUrl);
    }

    /**
     * What addPayment() gets for a verified, paid attempt: Perfex records the invoice part,
     * never the fee. When Perfex's own tblpayment_attempts row of the Pay click still exists, addPayment()
     * gets its `payment_attempt_reference` and an amount of invoice part + THAT row's fee, so Perfex takes
     * its own fee off itself (perfex.md "process_payment flow"); the row's fee can differ from the fee
     * charged only where the currency has fewer decimals (JPY: 35.10 stored, 35 charged). When the row is
     * gone (the attempt ended before a late payment, or a Perfex before 3.0.5), the invoice part is passed
     * as is, without a reference. Runs inside the recording transaction.
     */
    public function paymentRecordData(object $payment, array $data): array
    {
        $feeMinor = (int) ($payment->fee_minor ?? 0);
        if ($feeMinor > 0) {
            $data['amount'] = Paybridge_fee::perfexAmountOf((int) $payment->amount_minor - $feeMinor, (string) $payment->currency);
        }
        $attemptId = (int) ($payment->perfex_attempt_id ?? 0);
        if ($attemptId <= 0) {
            return $data;
        }
        $this->ci->load->model('payment_attempts_model');
        $attempt = $this->ci->payment_attempts_model->get($attemptId, $this->getId());
        if (!$attempt || (string) ($attempt->reference ?? '') === '') {
            return $data;
        }
        $perfexFeeCents = Paybridge_money::cents(Paybridge_fee::roundHalfUp(Paybridge_fee::decimalOf($attempt->fee ?? 0), 2));
        $data['amount'] = Paybridge_fee::centsText(Paybridge_money::cents((string) $data['amount']) + $perfexFeeCents);
        $data['payment_attempt_reference'] = (string) $attempt->reference;

        return $data;
    }

    /** The customer still gets the alert when the database refuses even this update. */
    private function attemptFailedQuietly($model, object $row, string $code): void
    {
        try {
            $model->attempt_failed($row, $code);
        } catch (Throwable $e) {
            log_message('error', 'paybridge: attempt ' . (int) $row->id . ' not marked failed: ' . get_class($e));
        }
    }

    /** https:// with a host, or http:// on a loopback host (127.0.0.0/8, ::1, localhost) like the extension allows. */
    public static function isSafeCheckoutUrl(string $url): bool
    {
        $parts  = parse_url($url);
        $scheme = strtolower((string) ($parts['scheme'] ?? ''));
        $host   = strtolower(trim((string) ($parts['host'] ?? ''), '[]'));
        if ($host === '' || preg_match('/[\s\x00-\x1f]/', $url)) {
            return false;
        }
        if ($scheme === 'https') {
            return true;
        }

        return $scheme === 'http' && ($host === 'localhost' || $host === '::1'
            || (filter_var($host, FILTER_VALIDATE_IP, FILTER_FLAG_IPV4) && strpos($host, '127.') === 0));
    }
}
