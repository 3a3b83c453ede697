<?php

defined('BASEPATH') or exit('No direct script access allowed');

/*
 * Perfex's action_hooks_helper: the hooks() entry point.
 */

function hooks(): Hooks
{
    return standin_core('hooks');
}
