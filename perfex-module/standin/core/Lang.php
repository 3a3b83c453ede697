<?php

defined('BASEPATH') or exit('No direct script access allowed');

/** $CI->lang: language lines from <file>_lang.php files that fill a $lang array. */
class CI_Lang
{
    public array $language = [];
    public array $is_loaded = [];

    public function load($langfile, $idiom = '', $return = false, $add_suffix = true, $alt_path = '')
    {
        $idiom = $idiom !== '' ? $idiom : 'english';
        foreach ((array) $langfile as $file) {
            $file = preg_replace('/(_lang)?(\.php)?$/', '', (string) $file) . '_lang.php';
            $candidates = [];
            if ($alt_path !== '') {
                $candidates[] = rtrim($alt_path, '/') . "/language/$idiom/$file";
            }
            if (strpos($file, '/') !== false) {
                [$module, $name] = explode('/', $file, 2);
                $candidates[] = APP_MODULES_PATH . "$module/language/$idiom/$name";
            }
            $candidates[] = APPPATH . "language/$idiom/$file";
            foreach ($candidates as $path) {
                if (isset($this->is_loaded[$path])) {
                    continue 2;
                }
                if (is_file($path)) {
                    $lang = [];
                    include $path;
                    $this->is_loaded[$path] = $idiom;
                    if ($return) {
                        return $lang;
                    }
                    $this->language = array_merge($this->language, $lang);
                    continue 2;
                }
            }
        }
        return true;
    }

    public function line($line, $log_errors = true)
    {
        return $this->language[$line] ?? false;
    }
}
