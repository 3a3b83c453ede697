<?php

defined('BASEPATH') or exit('No direct script access allowed');

/**
 * Base class of every payment gateway (Perfex 3.x semantics, see shared/specs/perfex.md "App_gateway").
 * Settings are stored in tbloptions as paymentmethod_<id>_<name>.
 */
class App_gateway
{
    /** 3.0.5+: when true, fee_fixed / fee_percent settings are added and getFee() applies them. */
    public bool $processingFees = false;

    protected $ci;
    protected $id = '';
    protected $name = '';
    protected $settings = [];
    private bool $optionsEnsured = false;

    public function __construct()
    {
        $this->ci = &get_instance();
    }

    public function setId($id): void
    {
        $this->id = $id;
    }

    public function getId(): string
    {
        return (string) $this->id;
    }

    public function setName($name): void
    {
        $this->name = $name;
    }

    public function getName(): string
    {
        return (string) $this->name;
    }

    /**
     * Prepends active (yes_no, 0) and label (default: the name at this moment), then the fee settings when
     * $processingFees, then the gateway's own settings, and appends default_selected (yes_no, 1).
     */
    public function setSettings(array $settings): void
    {
        $head = [
            ['name' => 'active', 'type' => 'yes_no', 'default_value' => 0, 'label' => 'settings_paymentmethod_active'],
            ['name' => 'label', 'default_value' => $this->getName(), 'label' => 'settings_paymentmethod_mode_label'],
        ];
        if ($this->processingFees) {
            $head[] = ['name' => 'fee_fixed', 'default_value' => 0, 'label' => 'payment_gateway_fee_fixed'];
            $head[] = ['name' => 'fee_percent', 'default_value' => 0, 'label' => 'payment_gateway_fee_percentage'];
        }
        $tail = [
            ['name' => 'default_selected', 'type' => 'yes_no', 'default_value' => 1, 'label' => 'settings_paymentmethod_default_selected'],
        ];
        $this->settings = array_merge($head, array_values($settings), $tail);
    }

    /** With $formatted, names become paymentmethod_<id>_<name> (the option names). */
    public function getSettings($formatted = true): array
    {
        if (!$formatted) {
            return $this->settings;
        }
        $out = [];
        foreach ($this->settings as $s) {
            $s['name'] = 'paymentmethod_' . $this->getId() . '_' . $s['name'];
            $out[] = $s;
        }
        return $out;
    }

    public function getSetting($name): string
    {
        return trim(get_option('paymentmethod_' . $this->getId() . '_' . $name));
    }

    public function decryptSetting($name): string
    {
        $value = $this->getSetting($name);
        if ($value === '') {
            return '';
        }
        $plain = $this->ci->encryption->decrypt($value);
        return trim($plain === false ? '' : (string) $plain);
    }

    public function isInitialized(): bool
    {
        return option_exists('paymentmethod_' . $this->getId() . '_active');
    }

    /** Filter app_payment_gateways: adds missing options (never overwriting) and appends this mode. */
    public function initMode(array $modes): array
    {
        if (!$this->optionsEnsured) {
            foreach ($this->getSettings() as $s) {
                if (option_exists($s['name'])) {
                    continue;
                }
                $value = $s['default_value'] ?? '';
                if (!empty($s['encrypted']) && $value !== '' && $value !== null) {
                    $value = $this->ci->encryption->encrypt($value);
                }
                add_option($s['name'], $value, 1);
            }
            $this->optionsEnsured = true;
        }
        $modes[] = [
            'id'                  => $this->getId(),
            'name'                => $this->getSetting('label'),
            'description'         => '',
            'selected_by_default' => $this->getSetting('default_selected'),
            'active'              => $this->getSetting('active'),
            'instance'            => $this,
        ];
        return $modes;
    }

    /**
     * Records a payment through payments_model->add() with paymentmode = getId(). No duplicate check.
     * Perfex 3.0.5+ (perfex.md "process_payment flow"): given a payment_attempt_reference, the attempt of this
     * gateway is looked up; when the gateway has $processingFees its fee is taken off the amount, with
     * Perfex's float arithmetic (the decimal(15,2) column rounds what is left), and the attempt row is
     * deleted. The key never reaches the insert (it is not a column).
     */
    public function addPayment(array $data): bool
    {
        $data['paymentmode'] = $this->getId();
        if (isset($data['payment_attempt_reference'])) {
            $this->ci->load->model('payment_attempts_model');
            $attempt = $this->ci->payment_attempts_model->getByReference((string) $data['payment_attempt_reference'], $this->getId());
            if ($attempt) {
                if ($this->processingFees) {
                    $data['amount'] = $data['amount'] - $attempt->fee;
                }
                $this->ci->payment_attempts_model->delete((int) $attempt->id);
            }
            unset($data['payment_attempt_reference']);
        }
        $this->ci->load->model('payments_model');
        return (bool) $this->ci->payments_model->add($data);
    }

    public function getFee(float $amount): float
    {
        if (!$this->processingFees) {
            return 0.0;
        }
        $fixed = (float) $this->getSetting('fee_fixed');
        $percent = (float) $this->getSetting('fee_percent');
        return round($fixed + $amount * $percent / 100, get_decimal_places());
    }
}
