<?php

defined('BASEPATH') or exit('No direct script access allowed');

// Core lines of the stand-in (keys as in Perfex where a module may reuse them).
$lang['settings_paymentmethod_active']           = 'Active';
$lang['settings_paymentmethod_mode_label']       = 'Label';
$lang['settings_paymentmethod_default_selected'] = 'Selected by default on invoice';
$lang['payment_gateway_fee_fixed']               = 'Fixed fee';
$lang['payment_gateway_fee_percentage']          = 'Percentage fee';
$lang['settings_yes']                            = 'Yes';
$lang['settings_no']                             = 'No';
$lang['settings_save']                           = 'Save Settings';
$lang['settings_updated']                        = 'Settings Updated';
$lang['settings_group_payment_gateways']         = 'Payment Gateways';
$lang['settings_encrypted_value_set']            = 'A value is stored (hidden). Leave empty to keep it.';

$lang['invoice_status_paid']                = 'Paid';
$lang['invoice_status_unpaid']              = 'Unpaid';
$lang['invoice_status_overdue']             = 'Overdue';
$lang['invoice_status_not_paid_completely'] = 'Partially Paid';
$lang['invoice_status_cancelled']           = 'Cancelled';
$lang['invoice_status_draft']               = 'Draft';

$lang['invoice']                                  = 'Invoice';
$lang['invoice_total']                            = 'Total';
$lang['invoice_amount_due']                       = 'Amount Due';
$lang['invoice_received_payments']                = 'Transactions';
$lang['invoice_no_payments_found']                = 'No payments found for this invoice';
$lang['invoice_html_online_payment']              = 'Online Payment';
$lang['invoice_html_amount']                      = 'Amount';
$lang['invoice_html_online_payment_button_text']  = 'Pay Now';
$lang['invoice_html_payment_modes_not_selected']  = 'Please select payment mode';
$lang['invoice_html_total_pay']                   = 'Total: %s';
$lang['invoice_payment_not_allowed']              = 'This invoice cannot be paid online.';
$lang['invoice_payment_mode_not_allowed']         = 'This payment mode is not allowed for this invoice.';
$lang['invoice_payment_amount_invalid']           = 'Please enter a valid amount.';
$lang['invoice_payment_amount_exceeds_left']      = 'The amount is bigger than the amount left to pay.';
$lang['payment_table_invoice_number']             = 'Payment #';
$lang['payment_table_mode']                       = 'Payment Mode';
$lang['payment_table_date']                       = 'Date';
$lang['payment_table_amount']                     = 'Amount';
$lang['payment_transaction_id']                   = 'Transaction ID';

$lang['admin_auth_login_heading']   = 'Login';
$lang['admin_auth_login_email']     = 'Email Address';
$lang['admin_auth_login_password']  = 'Password';
$lang['admin_auth_login_button']    = 'Login';
$lang['admin_auth_invalid_email_or_password'] = 'Invalid email or password';
$lang['modules']                    = 'Modules';
$lang['module_activate']            = 'Activate';
$lang['module_deactivate']          = 'Deactivate';
$lang['module_upload']              = 'Upload Module';
$lang['module_uploaded_successfully'] = 'Module uploaded successfully';
$lang['invoices']                   = 'Invoices';
$lang['settings']                   = 'Settings';
$lang['logout']                     = 'Logout';
$lang['access_denied']              = 'Access denied';

$lang['credit_notes']                = 'Credit Notes';
$lang['credit_notes_none']           = 'No credit notes found';
$lang['credit_note_status']          = 'Status';
$lang['credit_note_status_open']     = 'Open';
$lang['credit_note_status_closed']   = 'Closed';
$lang['credit_note_status_void']     = 'Void';
$lang['credit_note_date']            = 'Credit Note Date';
$lang['credit_note_reference']       = 'Reference #';
$lang['credit_note_lines']           = 'Item';
$lang['credit_note_total']           = 'Total';
$lang['credit_note_refunds']         = 'Refunds';
$lang['credit_note_remaining']       = 'Remaining Amount';
