<?php

defined('BASEPATH') or exit('No direct script access allowed');

// Runs with $CI in scope (paybridge_activation_hook). Idempotent: every statement is IF NOT EXISTS.
// Amounts: `amount` is what Perfex asked for (decimal(15,2), like tblinvoicepaymentrecords.amount);
// `amount_minor` is the same amount in the currency's ISO 4217 exponent (JPY 0, KWD 3), as sent to the provider.

$charset = $CI->db->char_set;

$CI->db->query('CREATE TABLE IF NOT EXISTS `' . db_prefix() . "paybridge_payments` (
    `id` int(11) NOT NULL AUTO_INCREMENT,
    `provider` varchar(20) NOT NULL,
    `invoice_id` int(11) NOT NULL,
    `token` char(32) NOT NULL,
    `idempotency_key` char(32) NOT NULL,
    `reference` varchar(100) NOT NULL DEFAULT '',
    `provider_payment_id` varchar(191) NULL DEFAULT NULL,
    `amount` decimal(15,2) NOT NULL,
    `amount_minor` bigint(20) NOT NULL,
    `currency` char(3) NOT NULL,
    `status` varchar(30) NOT NULL DEFAULT 'creating',
    `error_code` varchar(60) NULL DEFAULT NULL,
    `checkout_url` text NULL,
    `created_at` datetime NOT NULL,
    `updated_at` datetime NOT NULL,
    PRIMARY KEY (`id`),
    UNIQUE KEY `uk_token` (`token`),
    KEY `provider_payment` (`provider`, `provider_payment_id`),
    KEY `invoice_id` (`invoice_id`)
) ENGINE=InnoDB DEFAULT CHARSET=" . $charset . ';');

// One row per event of a payment (UNIQUE payment row + event id, the first guard): a redelivery of an
// event already processed for that payment is a duplicate, and no one can occupy another payment's key.
// Event ids live in namespaces (Paybridge_model::event_key): "evt:<id>" for a provider event whose
// signature was verified, "api:<status>:<hash>" for an unverified body (derived from what the API returned:
// provider, payment id, status, amount, refund id), "read:<source>:<status>:<hash>" for the module's own
// return / re-check / cron reads. A repeat of a stored key only bumps `repeats` (bounded growth).
$CI->db->query('CREATE TABLE IF NOT EXISTS `' . db_prefix() . "paybridge_events` (
    `id` int(11) NOT NULL AUTO_INCREMENT,
    `provider` varchar(20) NOT NULL,
    `event_id` varchar(191) NOT NULL,
    `source` varchar(20) NOT NULL,
    `payment_row_id` int(11) NULL DEFAULT NULL,
    `invoice_id` int(11) NULL DEFAULT NULL,
    `provider_payment_id` varchar(191) NULL DEFAULT NULL,
    `type` varchar(100) NOT NULL DEFAULT '',
    `status` varchar(30) NOT NULL,
    `outcome` varchar(20) NOT NULL,
    `reason_code` varchar(60) NOT NULL DEFAULT '',
    `verified` varchar(20) NOT NULL DEFAULT '',
    `amount` varchar(32) NULL DEFAULT NULL,
    `currency` char(3) NULL DEFAULT NULL,
    `body_hash` char(64) NULL DEFAULT NULL,
    `repeats` int(11) NOT NULL DEFAULT 0,
    `last_seen_at` datetime NULL DEFAULT NULL,
    `created_at` datetime NOT NULL,
    PRIMARY KEY (`id`),
    UNIQUE KEY `uk_payment_row_event` (`payment_row_id`, `event_id`),
    KEY `payment_row_id` (`payment_row_id`),
    KEY `invoice_id` (`invoice_id`)
) ENGINE=InnoDB DEFAULT CHARSET=" . $charset . ';');

// The second guard: addPayment runs only after this INSERT committed (as a claim, see the issue 15 columns
// below), so a provider payment becomes at most one Perfex payment (UNIQUE provider + provider payment id).
$CI->db->query('CREATE TABLE IF NOT EXISTS `' . db_prefix() . "paybridge_recorded` (
    `id` int(11) NOT NULL AUTO_INCREMENT,
    `provider` varchar(20) NOT NULL,
    `provider_payment_id` varchar(191) NOT NULL,
    `payment_row_id` int(11) NOT NULL,
    `invoice_id` int(11) NOT NULL,
    `paymentrecord_id` int(11) NULL DEFAULT NULL,
    `amount` decimal(15,2) NOT NULL,
    `currency` char(3) NOT NULL,
    `event_row_id` int(11) NULL DEFAULT NULL,
    `created_at` datetime NOT NULL,
    PRIMARY KEY (`id`),
    UNIQUE KEY `uk_provider_payment` (`provider`, `provider_payment_id`),
    KEY `payment_row_id` (`payment_row_id`),
    KEY `invoice_id` (`invoice_id`)
) ENGINE=InnoDB DEFAULT CHARSET=" . $charset . ';');

// paybridge_recorded must be unique per provider payment (uk_provider_payment above), so one provider
// payment is recorded at most once whichever attempt row reports it. A table keyed per payment row instead
// (uk_payment_row) is re-keyed: that key goes, rows that would collide are made distinct (suffix
// "#<row id>"; nothing is deleted: these are accounting records), then the provider key is added.
$paybridgeIndex = static function (string $table, string $key) use ($CI): bool {
    return (bool) $CI->db->query('SHOW INDEX FROM `' . db_prefix() . $table . '` WHERE Key_name = ' . $CI->db->escape($key))->row();
};
$paybridgeRekey = [
    // table => [old unique key, new unique key, its second column, plain keys that must exist]
    'paybridge_recorded' => ['uk_payment_row', 'uk_provider_payment', 'provider_payment_id', ['payment_row_id']],
];
foreach ($paybridgeRekey as $table => [$oldKey, $newKey, $column, $plainKeys]) {
    $t = '`' . db_prefix() . $table . '`';
    foreach ($plainKeys as $plain) {
        if (!$paybridgeIndex($table, $plain)) {
            $CI->db->query('ALTER TABLE ' . $t . ' ADD KEY `' . $plain . '` (`' . $plain . '`)');
        }
    }
    if ($paybridgeIndex($table, $oldKey)) {
        $CI->db->query('ALTER TABLE ' . $t . ' DROP INDEX `' . $oldKey . '`');
    }
    if (!$paybridgeIndex($table, $newKey)) {
        $CI->db->query('UPDATE ' . $t . ' t JOIN (SELECT `provider`, `' . $column . '`, MIN(`id`) AS keep_id FROM ' . $t
            . ' GROUP BY `provider`, `' . $column . '` HAVING COUNT(*) > 1) d ON d.`provider` = t.`provider` AND d.`' . $column . '` = t.`' . $column . '`'
            . ' SET t.`' . $column . "` = CONCAT(LEFT(t.`" . $column . "`, 170), '#', t.`id`) WHERE t.`id` <> d.keep_id");
        $CI->db->query('ALTER TABLE ' . $t . ' ADD UNIQUE KEY `' . $newKey . '` (`provider`, `' . $column . '`)');
    }
}
// Plain keys made redundant by the unique ones.
foreach (['paybridge_recorded' => 'provider_payment'] as $table => $redundant) {
    if ($paybridgeIndex($table, $redundant)) {
        $CI->db->query('ALTER TABLE `' . db_prefix() . $table . '` DROP INDEX `' . $redundant . '`');
    }
}

// Events are unique per payment row (uk_payment_row_event), not per provider, so a token or a forged body
// can only ever touch its own payment's keys. A table keyed otherwise gets the new columns, this key (rows
// that would collide get a "#<row id>" suffix; nothing is deleted), then loses the other keys.
$paybridgeColumn = static function (string $table, string $column) use ($CI): bool {
    return (bool) $CI->db->query('SHOW COLUMNS FROM `' . db_prefix() . $table . '` LIKE ' . $CI->db->escape($column))->row();
};
$paybridgeEvents = '`' . db_prefix() . 'paybridge_events`';
foreach ([
    'body_hash'    => 'char(64) NULL DEFAULT NULL AFTER `currency`',
    'repeats'      => 'int(11) NOT NULL DEFAULT 0 AFTER `body_hash`',
    'last_seen_at' => 'datetime NULL DEFAULT NULL AFTER `repeats`',
] as $column => $definition) {
    if (!$paybridgeColumn('paybridge_events', $column)) {
        $CI->db->query('ALTER TABLE ' . $paybridgeEvents . ' ADD COLUMN `' . $column . '` ' . $definition);
    }
}
if (!$paybridgeIndex('paybridge_events', 'uk_payment_row_event')) {
    $CI->db->query('UPDATE ' . $paybridgeEvents . ' t JOIN (SELECT `payment_row_id`, `event_id`, MIN(`id`) AS keep_id FROM ' . $paybridgeEvents
        . ' WHERE `payment_row_id` IS NOT NULL GROUP BY `payment_row_id`, `event_id` HAVING COUNT(*) > 1) d'
        . ' ON d.`payment_row_id` = t.`payment_row_id` AND d.`event_id` = t.`event_id`'
        . " SET t.`event_id` = CONCAT(LEFT(t.`event_id`, 170), '#', t.`id`) WHERE t.`id` <> d.keep_id");
    $CI->db->query('ALTER TABLE ' . $paybridgeEvents . ' ADD UNIQUE KEY `uk_payment_row_event` (`payment_row_id`, `event_id`)');
}
foreach (['uk_provider_event', 'uk_payment_event', 'provider_event'] as $old) {
    if ($paybridgeIndex('paybridge_events', $old)) {
        $CI->db->query('ALTER TABLE ' . $paybridgeEvents . ' DROP INDEX `' . $old . '`');
    }
}

// ---- cron reconciliation, webhook read limit, separate return token, attempt account ----
// Added column by column (ALTER only when missing), so a fresh install and an upgrade end the same and
// running this twice changes nothing.
$paybridgePayments = db_prefix() . 'paybridge_payments';
$paybridgeColumns = [
    // Random token of the return URL, apart from `token` (the webhook URL's): a leaked webhook URL does
    // not lead to the invoice link.
    'return_token'          => 'char(32) NULL DEFAULT NULL',
    // Non-secret identifiers of the account the attempt was created with (JSON: base_url + NeroPay account
    // / Payrexx instance); NULL for attempts made before this column existed (read with the current one).
    'account'               => 'varchar(500) NULL DEFAULT NULL',
    // Cron reconciliation: checks done, when the next one is due, the last one and its outcome.
    'reconcile_count'       => 'int(11) NOT NULL DEFAULT 0',
    'reconcile_next_at'     => 'datetime NULL DEFAULT NULL',
    'reconcile_last_at'     => 'datetime NULL DEFAULT NULL',
    'reconcile_result'      => 'varchar(60) NULL DEFAULT NULL',
    // Perfex's own tblpayment_attempts row of this Pay click (3.0.5+): deleted once the payment is
    // recorded or the attempt ends, as Perfex's addPayment() does; NULL when Perfex made none.
    'perfex_attempt_id'     => 'int(11) NULL DEFAULT NULL',
    // Issue 13 item 5: the Perfex gateway fee (fee_fixed / fee_percent) included in amount_minor, in the
    // currency's minor units; amount_minor - fee_minor is what Perfex records on the invoice. A refund
    // never exceeds amount_minor (what the customer paid).
    'fee_minor'             => 'bigint(20) NOT NULL DEFAULT 0',
];
foreach ($paybridgeColumns as $column => $definition) {
    if (!$CI->db->field_exists($column, $paybridgePayments)) {
        $CI->db->query('ALTER TABLE `' . $paybridgePayments . '` ADD COLUMN `' . $column . '` ' . $definition);
    }
}
// Attempts created before the split were handed out with one token in both URLs: it keeps serving both.
$CI->db->query('UPDATE `' . $paybridgePayments . '` SET `return_token` = `token` WHERE `return_token` IS NULL');
if (!$paybridgeIndex('paybridge_payments', 'uk_return_token')) {
    $CI->db->query('ALTER TABLE `' . $paybridgePayments . '` ADD UNIQUE KEY `uk_return_token` (`return_token`)');
}
if (!$paybridgeIndex('paybridge_payments', 'reconcile')) {
    $CI->db->query('ALTER TABLE `' . $paybridgePayments . '` ADD KEY `reconcile` (`status`, `created_at`)');
}
// Last API read caused by an unverified webhook, per attempt and claimed status: at most
// one read per (attempt, claimed status) per 10 s. A handful of rows per attempt at most (one per status).
$CI->db->query('CREATE TABLE IF NOT EXISTS `' . db_prefix() . "paybridge_webhook_reads` (
    `payment_row_id` int(11) NOT NULL,
    `claim` varchar(30) NOT NULL,
    `last_read_at` datetime(3) NOT NULL,
    PRIMARY KEY (`payment_row_id`, `claim`)
) ENGINE=InnoDB DEFAULT CHARSET=" . $charset . ';');
// Issue 15: the guard row is committed first as a claim (state `claimed`, random claim_token, claimed_at),
// the payment is added by the claim's owner only after that commit, then the row becomes `done`
// (Paybridge_model, "Recording a payment is three steps"). Rows written before this are `done`.
$paybridgeRecorded = db_prefix() . 'paybridge_recorded';
foreach ([
    'state'       => "varchar(10) NOT NULL DEFAULT 'done'",
    'claim_token' => 'char(32) NULL DEFAULT NULL',
    'claimed_at'  => 'datetime NULL DEFAULT NULL',
    'finished_at' => 'datetime NULL DEFAULT NULL',
] as $column => $definition) {
    if (!$CI->db->field_exists($column, $paybridgeRecorded)) {
        $CI->db->query('ALTER TABLE `' . $paybridgeRecorded . '` ADD COLUMN `' . $column . '` ' . $definition);
    }
}
// Age (seconds) after which a claim whose owner never finished is taken over: longer than any request lives.
add_option('paybridge_claim_stale_seconds', '300');
add_option('paybridge_reconcile_min_age_seconds', '120');
add_option('paybridge_reconcile_batch', '20');

// ---- Refunds and chargebacks (Paybridge_refund_model; README "Refunds") ----
// One row per provider refund or chargeback of a payment this module recorded, whoever started it:
//  - `idempotency_key` (UNIQUE, NULL for refunds made at the provider): the admin form's one-time key; the
//    pending row holding it is committed BEFORE the refund API call, so a double submit or a retry reuses
//    the row and the key (providers replay the same refund);
//  - `provider_refund_id` (UNIQUE per payment and kind once known; compared byte for byte): a provider
//    refund or chargeback is booked at most once, whichever path (API answer, webhook, re-check, cron)
//    sees it first. Scoped to the payment like every other dedup key, so the same id on another account,
//    in the other mode or after a provider renumbering can never touch this payment's rows;
//  - `booked_at` / `credit_note_id`: the bookkeeping guard, set in the same transaction as the credit note.
// Amounts in integer minor units of `currency` (ISO 4217 exponent: JPY 0, KWD 3).
$CI->db->query('CREATE TABLE IF NOT EXISTS `' . db_prefix() . "paybridge_refunds` (
    `id` int(11) NOT NULL AUTO_INCREMENT,
    `provider` varchar(20) NOT NULL,
    `payment_row_id` int(11) NOT NULL,
    `invoice_id` int(11) NOT NULL,
    `provider_payment_id` varchar(191) NOT NULL,
    `provider_refund_id` varchar(191) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL DEFAULT NULL,
    `idempotency_key` char(32) NULL DEFAULT NULL,
    `kind` varchar(20) NOT NULL DEFAULT 'refund',
    `source` varchar(20) NOT NULL,
    `status` varchar(20) NOT NULL DEFAULT 'pending',
    `amount_minor` bigint(20) NOT NULL,
    `currency` char(3) NOT NULL,
    `staff_id` int(11) NULL DEFAULT NULL,
    `reason` varchar(255) NOT NULL DEFAULT '',
    `error_code` varchar(60) NULL DEFAULT NULL,
    `credit_note_id` int(11) NULL DEFAULT NULL,
    `booked_at` datetime NULL DEFAULT NULL,
    `api_attempt_at` datetime NULL DEFAULT NULL,
    `created_at` datetime NOT NULL,
    `updated_at` datetime NOT NULL,
    PRIMARY KEY (`id`),
    UNIQUE KEY `uk_provider_refund` (`provider`, `payment_row_id`, `kind`, `provider_refund_id`),
    UNIQUE KEY `uk_idempotency_key` (`idempotency_key`),
    KEY `payment_row_id` (`payment_row_id`),
    KEY `status` (`status`)
) ENGINE=InnoDB DEFAULT CHARSET=" . $charset . ';');
// Refund watch on Perfex's cron (Paybridge_reconcile_model): recorded payments are re-read on a back-off
// for a while after payment, so refunds and chargebacks made at the provider are found when their webhook
// was lost. Added only when missing (upgrade = fresh install; running twice changes nothing).
foreach ([
    'refund_check_count'   => 'int(11) NOT NULL DEFAULT 0',
    'refund_check_next_at' => 'datetime NULL DEFAULT NULL',
] as $column => $definition) {
    if (!$CI->db->field_exists($column, $paybridgePayments)) {
        $CI->db->query('ALTER TABLE `' . $paybridgePayments . '` ADD COLUMN `' . $column . '` ' . $definition);
    }
}
add_option('paybridge_refund_watch_days', '60');
add_option('paybridge_refund_watch_batch', '20');
// Extra trusted CA bundle (PEM path) for the provider APIs; '' = the built-in roots only (issue 14).
add_option('paybridge_ca_file', '');
