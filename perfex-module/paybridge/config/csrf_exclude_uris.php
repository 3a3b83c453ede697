<?php

defined('BASEPATH') or exit('No direct script access allowed');

// Providers POST webhooks without a CSRF token. Read by Perfex at pre_system (a csrf_exclude_uris
// filter from the init file would run too late; perfex.md "Webhook endpoint and CSRF").
return ['paybridge/webhook/.+'];
