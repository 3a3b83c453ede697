<?php

defined('BASEPATH') or exit('No direct script access allowed');

/**
 * Paybridge_model's attempt rows: created before the provider is called, moved on by the create answer,
 * and the lookups the webhook, return URL, admin page and cron resolve a payment row with
 * (README "Unsigned webhooks, tokens and accounts"). A trait of Paybridge_model, so the model stays the
 * one object controllers and the gateway load.
 */
trait Paybridge_attempts
{
    /**
     * @param string|null $account the gateway's accountKey() at creation: re-reads refuse another account's attempt
     * @throws Throwable when the database refuses the row (the caller shows the customer an alert)
     */
    public function create_attempt(string $provider, int $invoiceId, string $amount, int $amountMinor, string $currency, ?string $account = null, ?int $perfexAttemptId = null, int $feeMinor = 0): object
    {
        $row = [
            'perfex_attempt_id' => $perfexAttemptId,
            'provider'        => $provider,
            'invoice_id'      => $invoiceId,
            'token'           => bin2hex(random_bytes(16)), // webhook URL
            'return_token'    => bin2hex(random_bytes(16)), // return URL: never the same as the webhook's
            'account'         => $account,
            'idempotency_key' => bin2hex(random_bytes(16)),
            'amount'          => $amount,
            'amount_minor'    => $amountMinor,
            'currency'        => $currency,
            'status'          => 'creating',
            'created_at'      => $this->now(),
            'updated_at'      => $this->now(),
        ];
        if ($feeMinor > 0) {
            $row['fee_minor'] = $feeMinor; // the Perfex gateway fee included in amount_minor (issue 13 item 5)
        }
        if (!$this->db->insert($this->table('payments'), $row)) {
            throw new RuntimeException('db_error');
        }
        $row['id'] = (int) $this->db->insert_id();
        // Unique per attempt: NeroPay requires a unique identifier per payment link (providers.md §N3).
        $row['reference'] = 'PERFEX_CRM-' . $invoiceId . '-' . $row['id'];
        if ($this->db->where('id', $row['id'])->update($this->table('payments'), ['reference' => $row['reference']]) === false) {
            throw new RuntimeException('db_error');
        }

        return (object) $row;
    }

    public function attempt_created(object $row, string $providerPaymentId, string $checkoutUrl, string $status): void
    {
        $this->db->where('id', $row->id)->update($this->table('payments'), [
            'provider_payment_id' => $providerPaymentId,
            'checkout_url'        => $checkoutUrl,
            'status'              => $status,
            'updated_at'          => $this->now(),
        ]);
    }

    public function attempt_failed(object $row, string $errorCode): void
    {
        $this->db->where('id', $row->id)->update($this->table('payments'), [
            'status'     => 'create_failed',
            'error_code' => substr($errorCode, 0, 60),
            'updated_at' => $this->now(),
        ]);
        $this->release_perfex_attempt($row);
    }

    /**
     * Deletes Perfex's tblpayment_attempts row of this Pay click once the attempt is recorded or has ended
     * (issue 10), as Perfex's addPayment() does when given the attempt's reference. The fee it holds is
     * already on our row (fee_minor); a payment recorded later passes the invoice part without the reference.
     */
    private function release_perfex_attempt(object $payment): void
    {
        $id = (int) ($payment->perfex_attempt_id ?? 0);
        if ($id <= 0) {
            return;
        }
        $this->load->model('payment_attempts_model');
        $this->payment_attempts_model->delete($id);
        $this->db->where('id', (int) $payment->id)->update($this->table('payments'), ['perfex_attempt_id' => null]);
    }

    public function find_by_token(string $provider, string $token): ?object
    {
        if (!preg_match('/^[a-f0-9]{32}$/', $token)) {
            return null;
        }
        $row = $this->db->where('provider', $provider)->where('token', $token)->get($this->table('payments'))->row();

        return $row ?: null;
    }

    /** The attempt a provider's payment id belongs to (global webhook URLs carry no token). */
    public function find_by_provider_payment_id(string $provider, string $providerPaymentId): ?object
    {
        if ($providerPaymentId === '') {
            return null;
        }
        $row = $this->db->where('provider', $provider)->where('provider_payment_id', $providerPaymentId)
            ->order_by('id', 'DESC')->limit(1)->get($this->table('payments'))->row();

        return $row ?: null;
    }

    public function find(int $id): ?object
    {
        $row = $this->db->where('id', $id)->get($this->table('payments'))->row();

        return $row ?: null;
    }

    /** The attempt a return URL names (its own token; never the webhook URL's, issue 9 item 10). */
    public function find_by_return_token(string $provider, string $token): ?object
    {
        if (!preg_match('/^[a-f0-9]{32}$/', $token)) {
            return null;
        }
        $row = $this->db->where('provider', $provider)->where('return_token', $token)->get($this->table('payments'))->row();

        return $row ?: null;
    }

    /** True once this provider payment became a Perfex payment (a `done` paybridge_recorded row holds it). */
    public function is_recorded(object $payment): bool
    {
        return (bool) $this->db->query('SELECT id FROM ' . $this->table('recorded') . ' WHERE provider = ' . $this->db->escape($payment->provider)
            . ' AND provider_payment_id = ' . $this->db->escape((string) $payment->provider_payment_id) . " AND state = 'done' LIMIT 1")->row();
    }

    /** Shows staff that a provider message or a re-read was refused because the attempt belongs to another account. */
    public function mark_other_account(object $payment): void
    {
        $this->db->query('UPDATE ' . $this->table('payments') . " SET error_code = 'other_account', updated_at = "
            . $this->db->escape($this->now()) . ' WHERE id = ' . (int) $payment->id . " AND (error_code IS NULL OR error_code = '')");
    }

    public function invoice_url(int $invoiceId): string
    {
        $invoice = $this->db->where('id', $invoiceId)->get(db_prefix() . 'invoices')->row();

        return $invoice ? site_url('invoice/' . $invoice->id . '/' . $invoice->hash) : site_url();
    }
}
