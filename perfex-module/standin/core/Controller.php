<?php

defined('BASEPATH') or exit('No direct script access allowed');

/**
 * The controller/model base classes of CI3 + Perfex. The controller instance is the "super object"
 * returned by get_instance(): core services (db, load, input, session, encryption, uri, config, lang,
 * security) and every loaded model/library are properties of it.
 */
#[\AllowDynamicProperties]
class CI_Controller
{
    private static ?CI_Controller $instance = null;

    public function __construct()
    {
        self::$instance = $this;
        foreach (['config', 'input', 'uri', 'session', 'security', 'encryption', 'lang', 'db', 'load'] as $k) {
            $this->$k = standin_core($k);
        }
    }

    public static function &get_instance(): CI_Controller
    {
        return self::$instance;
    }

    public static function has_instance(): bool
    {
        return self::$instance !== null;
    }
}

/** Loads every active module's init file (and so its gateways, hooks, language files). No auth. */
class App_Controller extends CI_Controller
{
    public function __construct()
    {
        parent::__construct();
        $this->load->model('payment_modes_model');
        $this->load->model('clients_model');
        hooks()->do_action('app_init');
        standin_core('modules')->load_active();
        hooks()->do_action('modules_loaded');
    }
}

/** Customer area; no login required by itself. */
class ClientsController extends App_Controller
{
    public function __construct()
    {
        parent::__construct();
        hooks()->do_action('clients_init');
    }
}

/** Admin area: redirects to admin/authentication without a staff session. */
class AdminController extends App_Controller
{
    public function __construct()
    {
        parent::__construct();
        if (!is_staff_logged_in()) {
            if (PHP_SAPI !== 'cli') {
                $this->session->set_userdata('red_url', current_url());
            }
            redirect(admin_url('authentication'));
        }
        $this->app_menu = new App_menu();
        hooks()->do_action('admin_init');
    }
}

#[\AllowDynamicProperties]
class CI_Model
{
    public function __construct()
    {
    }

    /** Models read the super object's properties ($this->db, $this->load, other models…). */
    public function __get($key)
    {
        return get_instance()->$key ?? null;
    }
}

class App_Model extends CI_Model
{
}
