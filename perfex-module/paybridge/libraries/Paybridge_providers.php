<?php

defined('BASEPATH') or exit('No direct script access allowed');

/*
 * The providers this module offers, by the name the extension knows them (PayBridge\Gateway's first
 * argument): each has libraries/<Name>_gateway.php and the webhook route paybridge/webhook/<name>.
 * Its own file because uninstall.php needs the list too, without the rest of the init file.
 */
defined('PAYBRIDGE_PROVIDERS') or define('PAYBRIDGE_PROVIDERS', ['neropay', 'payrexx', 'noxipay']);
