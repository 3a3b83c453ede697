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

// One row per (payment attempt, event id, authoritative status): a redelivery is a duplicate, but an event
// first seen while the API still said "pending" can be processed again once the API says "paid".
// Keys are scoped by our attempt row, not by the provider's payment id: provider ids are only unique
// within one account/environment (test vs live account, a restarted sandbox), our token is unique forever.
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
    `created_at` datetime NOT NULL,
    PRIMARY KEY (`id`),
    UNIQUE KEY `uk_payment_event` (`payment_row_id`, `event_id`, `status`),
    KEY `provider_event` (`provider`, `event_id`),
    KEY `invoice_id` (`invoice_id`)
) ENGINE=InnoDB DEFAULT CHARSET=" . $charset . ';');

// The guard: addPayment runs only after this INSERT succeeded, in the same transaction. Each attempt row
// is exactly one provider payment, so UNIQUE(payment_row_id) means "at most one Perfex payment per
// provider payment" without trusting provider ids to be globally unique.
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
    UNIQUE KEY `uk_payment_row` (`payment_row_id`),
    KEY `provider_payment` (`provider`, `provider_payment_id`),
    KEY `invoice_id` (`invoice_id`)
) ENGINE=InnoDB DEFAULT CHARSET=" . $charset . ';');

// Upgrade of pre-release (development) tables that keyed uniqueness on provider ids.
$paybridgeRekey = [
    'paybridge_payments' => ['uk_provider_payment', 'ADD KEY `provider_payment` (`provider`, `provider_payment_id`)'],
    'paybridge_events'   => ['uk_provider_event', 'ADD UNIQUE KEY `uk_payment_event` (`payment_row_id`, `event_id`, `status`), ADD KEY `provider_event` (`provider`, `event_id`)'],
    'paybridge_recorded' => ['uk_provider_payment', 'ADD UNIQUE KEY `uk_payment_row` (`payment_row_id`), ADD KEY `provider_payment` (`provider`, `provider_payment_id`)'],
];
foreach ($paybridgeRekey as $table => [$oldKey, $add]) {
    if ($CI->db->query('SHOW INDEX FROM `' . db_prefix() . $table . '` WHERE Key_name = ' . $CI->db->escape($oldKey))->row()) {
        $CI->db->query('ALTER TABLE `' . db_prefix() . $table . '` DROP INDEX `' . $oldKey . '`, ' . $add);
    }
}
