<?php

defined('BASEPATH') or exit('No direct script access allowed');

/*
 * Perfex's clients_helper: the logged-in customer and contacts.
 */

function is_client_logged_in(): bool
{
    return (bool) get_instance()->session->userdata('client_logged_in');
}

function get_client_user_id()
{
    $id = get_instance()->session->userdata('client_user_id');
    return $id === null ? false : (int) $id;
}

function get_contact_user_id()
{
    $id = get_instance()->session->userdata('contact_user_id');
    return $id === null ? false : (int) $id;
}

function get_primary_contact_user_id($userid)
{
    $row = get_instance()->db->select('id')->where(['userid' => $userid, 'is_primary' => 1])->get(db_prefix() . 'contacts')->row();
    return $row ? (int) $row->id : false;
}
