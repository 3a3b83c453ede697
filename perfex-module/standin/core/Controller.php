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

/**
 * Like Perfex's App_Controller: the active modules' init files (and so the gateway
 * constructors) run first, at `pre_controller_constructor`, while NO language line is loaded; then the
 * language is loaded (load_client_language() for ClientsController, load_admin_language() for every
 * other controller), which fires after_load_*_language where register_language_files() hooked the
 * module's files; then app_init. No auth.
 */
class App_Controller extends CI_Controller
{
    public function __construct()
    {
        parent::__construct();
        $this->load->model('payment_modes_model');
        $this->load->model('clients_model');
        hooks()->do_action('pre_controller_constructor');
        standin_core('modules')->load_active();
        hooks()->do_action('modules_loaded');
        if ($this instanceof ClientsController) {
            load_client_language();
        } else {
            load_admin_language();
        }
        hooks()->do_action('app_init');
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
        // Perfex's AdminController keeps the logged-in staff row for the request (is_admin() reads it).
        $GLOBALS['current_user'] = $this->db->where('staffid', get_staff_user_id())->get(db_prefix() . 'staff')->row();
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
