<?php

defined('BASEPATH') or exit('No direct script access allowed');

/**
 * Pure rules of the recording path, no database: what a verified read allows (decide), the dedup key of
 * an event (event_key) and the order attempt statuses may move in (moves_forward, Paybridge_model::STATUS_RANK).
 * See perfex.md "Recording".
 */
trait Paybridge_event_rules
{
    /** The gateway's configured mode (contract 1): test_mode_enabled '1' → test, else live. */
    private function gateway_mode(Paybridge_gateway_base $gateway): string
    {
        return $gateway->getSetting('test_mode_enabled') === '1' ? 'test' : 'live';
    }

    /** What the verified facts allow, before touching the database. @return array{0:string,1:string} */
    private function decide(array $event, object $payment, Paybridge_gateway_base $gateway): array
    {
        $status = (string) ($event['status'] ?? 'unknown');
        // Contract 1 / issue 9 item 2: a payment of the other mode (a Payrexx TEST transaction on a live
        // instance) is never money for this shop, on every path. Refused when it claims paid (staff are
        // told), ignored otherwise. A null mode means the provider does not report one.
        $mode = $event['mode'] ?? null;
        if ($mode !== null && $mode !== '' && strtolower((string) $mode) !== $this->gateway_mode($gateway)) {
            return [$status === 'paid' ? 'rejected' : 'ignored', 'other_mode'];
        }
        switch ($status) {
            case 'paid':
                $eventPaymentId = (string) ($event['payment_id'] ?? '');
                $eventReference = (string) ($event['reference'] ?? '');
                if ($eventPaymentId !== '' && $eventPaymentId !== (string) $payment->provider_payment_id
                    && $eventReference !== (string) $payment->reference) {
                    return ['rejected', 'payment_mismatch'];
                }
                if (strtoupper((string) ($event['currency'] ?? '')) !== strtoupper($payment->currency)) {
                    return ['rejected', 'currency_mismatch'];
                }
                try {
                    $minor = isset($event['amount_minor']) && is_int($event['amount_minor'])
                        ? $event['amount_minor']
                        : Paybridge_money::toMinor((string) ($event['amount'] ?? ''), $payment->currency);
                } catch (InvalidArgumentException $e) {
                    return ['rejected', 'amount_mismatch'];
                }
                if ($minor !== (int) $payment->amount_minor) {
                    return ['rejected', 'amount_mismatch'];
                }

                return ['record', ''];
            case 'pending':
            case 'authorized':
                return ['logged', 'not_paid'];
            case 'failed':
                return ['logged', 'payment_failed'];
            case 'cancelled':
                return ['logged', 'payment_cancelled'];
            case 'refunded':
            case 'partially_refunded':
                return ['logged', 'refund_logged'];
            case 'chargeback':
                return ['logged', 'chargeback_logged'];
            default:
                return ['ignored', 'unknown_status'];
        }
    }

    /**
     * The dedup key of an event, unique per payment row (issue 9 item 5), in namespaces no caller can cross:
     *  - "evt:<provider event id>" only for a body whose signature the extension verified;
     *  - "api:<status>:<hash>" for an unverified webhook: the body is only a wake-up call, so its id is
     *    worthless; the key is derived from what the API returned (provider, payment id, status, amount,
     *    currency, mode, refund id when reported). Any number of junk bodies make one row per API state;
     *  - "read:<source>:<status>:<hash>" for the module's own return / re-check / cron reads, same facts.
     */
    private function event_key(array $event, object $payment, string $source): string
    {
        $status = substr((string) ($event['status'] ?? 'unknown'), 0, 30);
        $bodyId = (string) ($event['body_event_id'] ?? '');
        if ($source === 'webhook' && ($event['body_verified'] ?? '') === 'signature' && $bodyId !== '') {
            return substr('evt:' . $bodyId, 0, 191);
        }
        $facts = [
            (string) $payment->provider,
            (string) (($event['payment_id'] ?? '') !== '' ? $event['payment_id'] : $payment->provider_payment_id),
            $status,
            isset($event['amount_minor']) && is_int($event['amount_minor']) ? (string) $event['amount_minor'] : (string) ($event['amount'] ?? ''),
            strtoupper((string) ($event['currency'] ?? '')),
            strtolower((string) ($event['mode'] ?? '')),
            (string) ($event['refund_id'] ?? ''),
        ];
        $namespace = $source === 'webhook' ? 'api' : 'read:' . preg_replace('/[^a-z]/', '', $source);

        return $namespace . ':' . $status . ':' . substr(hash('sha256', implode("\n", $facts)), 0, 32);
    }

    /** Applying $new to an attempt at $current never moves it backwards (issue 9 item 5). */
    private function moves_forward(string $current, string $new): bool
    {
        if ($new === $current) {
            return true;
        }
        $from = self::STATUS_RANK[$current] ?? 1;
        $to   = self::STATUS_RANK[$new] ?? 1;
        if ($new === 'cancelled' && $from >= 2) {
            $to = 3; // a void after payment (contract 2), not a return to "not paid"
        }
        if ($from === 2 && $to === 2) {
            // paid / overpaid / rejected: a refused attempt may still become paid (e.g. the gateway's mode
            // was corrected), a recorded one is never shown as refused.
            return $current === 'rejected';
        }

        return $to >= $from;
    }
}
