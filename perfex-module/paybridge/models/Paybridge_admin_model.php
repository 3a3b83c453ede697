<?php

defined('BASEPATH') or exit('No direct script access allowed');

/**
 * Read-only queries of the PayBridge admin page (issue 13 item 6): the summary, the filtered and paginated
 * list of attempts, and one payment's timeline. Nothing here writes; recording stays in Paybridge_model.
 * Every value that reaches SQL is validated (filters()) or escaped.
 */
class Paybridge_admin_model extends App_Model
{
    public const PER_PAGE = 50;

    /** The providers the module ships (the gateways' provider() values): the module's one list. */
    public const PROVIDERS = PAYBRIDGE_PROVIDERS;

    /** Attempt statuses a filter may ask for: the module's own (creating, create_failed, rejected, overpaid) and the normalized payment statuses. */
    public const STATUSES = [
        'creating', 'create_failed', 'pending', 'open', 'waiting', 'authorized', 'paid', 'overpaid', 'rejected',
        'failed', 'cancelled', 'expired', 'refunded', 'partially_refunded', 'chargeback', 'unknown',
    ];

    /** Still waiting for the customer or the provider ("open" in the summary). */
    public const OPEN_STATUSES = ['creating', 'pending', 'open', 'waiting', 'authorized'];

    private function table(string $name): string
    {
        return db_prefix() . 'paybridge_' . $name;
    }

    /**
     * The page's GET parameters, validated: unknown providers or statuses, impossible dates and non-numeric
     * pages are dropped (never passed on to SQL or echoed back). @return array{provider:string,
     * status:string, from:string, to:string, page:int, invalid:string[]}
     */
    public function filters(array $get): array
    {
        $out = ['provider' => '', 'status' => '', 'from' => '', 'to' => '', 'page' => 1, 'invalid' => []];
        $provider = is_string($get['provider'] ?? null) ? $get['provider'] : '';
        if ($provider !== '') {
            in_array($provider, self::PROVIDERS, true) ? $out['provider'] = $provider : $out['invalid'][] = 'provider';
        }
        $status = is_string($get['status'] ?? null) ? $get['status'] : '';
        if ($status !== '') {
            in_array($status, self::STATUSES, true) ? $out['status'] = $status : $out['invalid'][] = 'status';
        }
        foreach (['from', 'to'] as $key) {
            $value = is_string($get[$key] ?? null) ? trim($get[$key]) : '';
            if ($value === '') {
                continue;
            }
            if (preg_match('/^(\d{4})-(\d{2})-(\d{2})$/', $value, $m) && checkdate((int) $m[2], (int) $m[3], (int) $m[1])) {
                $out[$key] = $value;
            } else {
                $out['invalid'][] = $key;
            }
        }
        if ($out['from'] !== '' && $out['to'] !== '' && $out['from'] > $out['to']) {
            $out['invalid'][] = 'to';
            $out['to'] = '';
        }
        $page = $get['page'] ?? '';
        if (is_string($page) && $page !== '') {
            preg_match('/^[1-9]\d{0,6}$/', $page) ? $out['page'] = (int) $page : $out['invalid'][] = 'page';
        }

        return $out;
    }

    private function where(array $f): string
    {
        $db = $this->db;
        $w  = [];
        if ($f['provider'] !== '') {
            $w[] = 'p.provider = ' . $db->escape($f['provider']);
        }
        if ($f['status'] !== '') {
            $w[] = 'p.status = ' . $db->escape($f['status']);
        }
        if ($f['from'] !== '') {
            $w[] = 'p.created_at >= ' . $db->escape($f['from'] . ' 00:00:00');
        }
        if ($f['to'] !== '') {
            // Whole days: everything before the next midnight.
            $w[] = 'p.created_at < ' . $db->escape(date('Y-m-d', strtotime($f['to'] . ' +1 day')) . ' 00:00:00');
        }

        return $w ? ' WHERE ' . implode(' AND ', $w) : '';
    }

    public function count_attempts(array $f): int
    {
        $row = $this->db->query('SELECT COUNT(*) AS n FROM ' . $this->table('payments') . ' p' . $this->where($f))->row();

        return $row ? (int) $row->n : 0;
    }

    /** One page of attempts, newest first, with the Perfex payment they became (if any). */
    public function attempts(array $f, int $page): array
    {
        $offset = max(0, $page - 1) * self::PER_PAGE;

        return $this->db->query('SELECT p.*, r.id AS recorded_id, r.paymentrecord_id FROM ' . $this->table('payments') . ' p'
            . ' LEFT JOIN ' . $this->table('recorded') . ' r ON r.id = (SELECT MIN(r2.id) FROM ' . $this->table('recorded')
            . ' r2 WHERE r2.payment_row_id = p.id)'
            . $this->where($f) . ' ORDER BY p.id DESC LIMIT ' . (int) $offset . ', ' . self::PER_PAGE)->result_array();
    }

    /** The latest events (a short feed; each payment's full history is on its timeline), newest first. */
    public function latest_events(array $f, int $limit = 50): array
    {
        $where = $f['provider'] !== '' ? ' WHERE provider = ' . $this->db->escape($f['provider']) : '';

        return $this->db->query('SELECT * FROM ' . $this->table('events') . $where . ' ORDER BY id DESC LIMIT ' . (int) $limit)->result_array();
    }

    public function refunds_table_exists(): bool
    {
        return (bool) $this->db->table_exists(db_prefix() . 'paybridge_refunds');
    }

    /**
     * Counts for the top of the page: attempts by open / rejected / overpaid, and refunds still pending
     * (null when the refunds table, created by the refund feature, is not there yet).
     * @return array{open:int, rejected:int, overpaid:int, pending_refunds:?int}
     */
    public function counts(): array
    {
        $byStatus = [];
        foreach ($this->db->query('SELECT status, COUNT(*) AS n FROM ' . $this->table('payments') . ' GROUP BY status')->result_array() as $r) {
            $byStatus[(string) $r['status']] = (int) $r['n'];
        }
        $open = 0;
        foreach (self::OPEN_STATUSES as $s) {
            $open += $byStatus[$s] ?? 0;
        }
        $pending = null;
        if ($this->refunds_table_exists()) {
            $row = $this->db->query('SELECT COUNT(*) AS n FROM ' . db_prefix() . "paybridge_refunds WHERE status = 'pending'")->row();
            $pending = $row ? (int) $row->n : 0;
        }

        return ['open' => $open, 'rejected' => $byStatus['rejected'] ?? 0, 'overpaid' => $byStatus['overpaid'] ?? 0, 'pending_refunds' => $pending];
    }

    /**
     * Webhook health per provider, from the options the webhook controller keeps (Paybridge_model::webhook_health).
     * @return array<string, array{success:string, failure:string, reason:string}>
     */
    public function webhook_health(): array
    {
        $out = [];
        foreach (self::PROVIDERS as $p) {
            $out[$p] = [
                'success' => get_option('paybridge_' . $p . '_webhook_last_success'),
                'failure' => get_option('paybridge_' . $p . '_webhook_last_failure'),
                'reason'  => get_option('paybridge_' . $p . '_webhook_last_failure_reason'),
            ];
        }

        return $out;
    }

    public function payment(int $id): ?array
    {
        $row = $this->db->query('SELECT * FROM ' . $this->table('payments') . ' WHERE id = ' . $id)->row_array();

        return $row ?: null;
    }

    /** Every event of one payment, in the order it happened. */
    public function events_of(int $id): array
    {
        return $this->db->query('SELECT * FROM ' . $this->table('events') . ' WHERE payment_row_id = ' . $id . ' ORDER BY id ASC')->result_array();
    }

    /** The guard row and the Perfex payment record it points at, if this payment was recorded. */
    public function recorded_of(int $id): ?array
    {
        $row = $this->db->query('SELECT * FROM ' . $this->table('recorded') . ' WHERE payment_row_id = ' . $id . ' ORDER BY id ASC LIMIT 1')->row_array();
        if (!$row) {
            return null;
        }
        $row['record'] = null;
        if ((int) ($row['paymentrecord_id'] ?? 0) > 0) {
            $record = $this->db->query('SELECT id, amount, paymentmode, date, daterecorded, transactionid FROM ' . db_prefix()
                . 'invoicepaymentrecords WHERE id = ' . (int) $row['paymentrecord_id'])->row_array();
            $row['record'] = $record ?: null;
        }

        return $row;
    }

    /**
     * The payment's refunds when the refunds table exists (install.php's schema: `payment_row_id` names the
     * payment row, as in Paybridge_refund_model::for_payment()). Null: no refunds table.
     */
    public function refunds_of(int $id): ?array
    {
        if (!$this->refunds_table_exists()) {
            return null;
        }

        return $this->db->query('SELECT * FROM ' . db_prefix() . 'paybridge_refunds WHERE payment_row_id = ' . $id . ' ORDER BY id ASC')->result_array();
    }
}
