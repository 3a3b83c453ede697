<?php

defined('BASEPATH') or exit('No direct script access allowed');

/** Creates the schema and the seed data; safe to run any number of times. */
class Standin_installer
{
    public const CURRENCIES = [
        // ISO, symbol, decimal sep, thousand sep, placement, default
        ['EUR', '€', ',', '.', 'before', 1],
        ['USD', '$', '.', ',', 'before', 0],
        ['GBP', '£', '.', ',', 'before', 0],
        ['CHF', 'CHF', '.', "'", 'before', 0],
        ['JPY', '¥', '.', ',', 'before', 0],
        ['KWD', 'KD', '.', ',', 'before', 0],
    ];

    public function run(): array
    {
        $CI = &get_instance();
        $sql = (string) file_get_contents(__DIR__ . '/schema.sql');
        $sql = preg_replace('/^--.*$/m', '', $sql);
        foreach (preg_split('/;\s*$/m', $sql) as $stmt) {
            if (trim($stmt) !== '') {
                $CI->db->query($stmt);
            }
        }
        // Databases made by an older stand-in: the tables Galera refuses (MyISAM, no primary key; issue 15).
        $engine = $CI->db->query("SELECT ENGINE FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '"
            . db_prefix() . "standin_mail_log'")->row();
        if ($engine && strcasecmp((string) $engine->ENGINE, 'InnoDB') !== 0) {
            $CI->db->query('ALTER TABLE `' . db_prefix() . 'standin_mail_log` ENGINE=InnoDB');
        }
        if (!$CI->db->field_exists('id', db_prefix() . 'staff_permissions')) {
            $CI->db->query('ALTER TABLE `' . db_prefix() . 'staff_permissions` ADD `id` int(11) NOT NULL AUTO_INCREMENT PRIMARY KEY FIRST');
        }
        $report = ['currencies' => 0, 'invoices' => 0];

        foreach (self::CURRENCIES as [$iso, $symbol, $dec, $th, $placement, $default]) {
            if (total_rows(db_prefix() . 'currencies', ['name' => $iso]) === 0) {
                $CI->db->insert(db_prefix() . 'currencies', ['name' => $iso, 'symbol' => $symbol, 'decimal_separator' => $dec,
                    'thousand_separator' => $th, 'placement' => $placement, 'isdefault' => $default]);
                $report['currencies']++;
            }
        }

        $email = standin_env('ADMIN_EMAIL', 'admin@example.test');
        $password = standin_env('ADMIN_PASSWORD', 'admin-pass');
        $staff = $CI->db->where('email', $email)->get(db_prefix() . 'staff')->row();
        if (!$staff) {
            $CI->db->insert(db_prefix() . 'staff', ['email' => $email, 'firstname' => 'Ada', 'lastname' => 'Admin',
                'password' => password_hash($password, PASSWORD_DEFAULT), 'datecreated' => date('Y-m-d H:i:s'), 'admin' => 1, 'active' => 1]);
        } elseif (!password_verify($password, $staff->password)) {
            $CI->db->where('staffid', $staff->staffid)->update(db_prefix() . 'staff', ['password' => password_hash($password, PASSWORD_DEFAULT)]);
        }

        if (total_rows(db_prefix() . 'clients') === 0) {
            $CI->db->insert(db_prefix() . 'clients', ['company' => 'Acme Widgets GmbH', 'country' => 0, 'city' => 'Berlin',
                'address' => 'Musterstraße 1', 'zip' => '10115', 'billing_street' => 'Musterstraße 1', 'billing_city' => 'Berlin',
                'billing_zip' => '10115', 'datecreated' => date('Y-m-d H:i:s'), 'active' => 1]);
            $clientId = $CI->db->insert_id();
            $CI->db->insert(db_prefix() . 'contacts', ['userid' => $clientId, 'is_primary' => 1, 'firstname' => 'Carla',
                'lastname' => 'Customer', 'email' => 'carla@example.test', 'datecreated' => date('Y-m-d H:i:s'), 'active' => 1]);
        }

        if (total_rows(db_prefix() . 'payment_modes') === 0) {
            $CI->db->insert(db_prefix() . 'payment_modes', ['name' => 'Bank', 'description' => 'Bank transfer',
                'show_on_pdf' => 1, 'selected_by_default' => 1, 'active' => 1]);
        }

        $options = [
            'companyname' => 'Stand-in Perfex Ltd',
            'invoice_prefix' => 'INV-',
            'number_padding_prefixes' => '6',
            'next_invoice_number' => '1',
            'allow_payment_amount_to_be_modified' => '1',
            'active_language' => 'english',
            'dateformat' => 'Y-m-d|%Y-%m-%d',
            'decimal_separator' => '.',
            'thousand_separator' => ',',
            'view_invoice_only_logged_in' => '0',
            // Credit notes (Perfex 3.x option names): Credit_notes_model::add() takes prefix and format from
            // these and bumps next_credit_note_number.
            'credit_note_prefix' => 'CN-',
            'credit_note_number_format' => '1',
            'next_credit_note_number' => '1',
        ];
        foreach ($options as $name => $value) {
            add_option($name, $value);
        }

        if (total_rows(db_prefix() . 'invoices') === 0) {
            $all = ['1', 'neropay', 'payrexx', 'noxipay'];
            $seed = [
                ['currency' => 'EUR', 'total' => '120.00', 'allowed' => $all],
                ['currency' => 'EUR', 'total' => '49.90', 'allowed' => $all],
                ['currency' => 'USD', 'total' => '250.00', 'allowed' => $all],
                ['currency' => 'GBP', 'total' => '75.50', 'allowed' => $all],
                ['currency' => 'JPY', 'total' => '1500.00', 'allowed' => $all],
                ['currency' => 'KWD', 'total' => '12.35', 'allowed' => $all],
                ['currency' => 'CHF', 'total' => '99.95', 'allowed' => $all, 'status' => Invoices_model::STATUS_DRAFT],
            ];
            foreach ($seed as $inv) {
                standin_create_invoice($inv);
                $report['invoices']++;
            }
        }
        return $report;
    }
}
