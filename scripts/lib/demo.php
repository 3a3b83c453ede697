<?php
/*
 * Customer's path for scripts/demo, over real HTTP with the tests' cookie-keeping client: invoice page ->
 * Pay with <provider> -> sandbox checkout -> Pay (the sandbox delivers the webhook) -> return URL ->
 * invoice page. Prints the invoice status before and after, the Perfex payment row(s) and the module's
 * event row(s). Exit 0 only when the invoice is paid with exactly one payment row.
 */

$root = dirname(__DIR__, 2);
require $root . '/perfex-module/tests/module/Browser.php';

$provider = $argv[1] ?? 'neropay';
$env = [];
foreach (file((getenv('STACK_DIR') ?: $root . '/.stack') . '/env', FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) as $line) {
    if (preg_match('/^([A-Z_][A-Z0-9_]*)=(.*)$/', $line, $m)) {
        $env[$m[1]] = $m[2];
    }
}
$currency = getenv('DEMO_CURRENCY') ?: ['neropay' => 'EUR', 'payrexx' => 'CHF', 'noxipay' => 'EUR'][$provider];
$total = getenv('DEMO_TOTAL') ?: '120.00';

function say(string $s): void
{
    echo $s, "\n";
}

function fail(string $s): never
{
    fwrite(STDERR, "DEMO FAILED: $s\n");
    exit(1);
}

/** php perfex-module/standin/cli.php …, decoded JSON. */
function standin(string ...$args): array
{
    global $root;
    $cmd = implode(' ', array_map('escapeshellarg', array_merge([PHP_BINARY, $root . '/perfex-module/standin/cli.php'], $args)));
    exec($cmd . ' 2>&1', $out, $rc);
    $json = json_decode(implode("\n", $out), true);
    if ($rc !== 0 || !is_array($json)) {
        fail('stand-in cli ' . implode(' ', $args) . ': ' . implode("\n", $out));
    }

    return $json;
}

function absolute(string $url, string $base): string
{
    if (preg_match('#^https?://#', $url)) {
        return $url;
    }
    $p = parse_url($base);

    return $p['scheme'] . '://' . $p['host'] . (isset($p['port']) ? ':' . $p['port'] : '') . '/' . ltrim($url, '/');
}

function table(array $rows, array $columns): void
{
    if (!$rows) {
        say('  (none)');
        return;
    }
    $width = [];
    foreach ($columns as $c) {
        $width[$c] = max(strlen($c), ...array_map(static fn ($r) => strlen((string) $r[$c]), $rows));
    }
    say('  ' . implode('  ', array_map(static fn ($c) => str_pad($c, $width[$c]), $columns)));
    foreach ($rows as $r) {
        say('  ' . implode('  ', array_map(static fn ($c) => str_pad((string) $r[$c], $width[$c]), $columns)));
    }
}

// 1. An invoice in a currency the provider accepts.
$invoice = standin('create-invoice', '--currency', $currency, '--total', $total, '--allowed', $provider . ',1');
$before = standin('invoice', (string) $invoice['id']);
say(sprintf('Invoice %s (#%d): %s %s, status before: %s', $invoice['number'] ?? '', $invoice['id'], $before['total'], $before['currency'], $before['status_name']));
say('  ' . $invoice['url']);

// 2. The customer opens it and presses Pay with the provider.
$browser = new Browser();
[$status, , $html] = $browser->get($invoice['url']);
$status === 200 || fail("invoice page answered $status");
$form = Browser::findForm($html, static fn ($f) => isset($f['fields']['paymentmode']) || isset($f['radios']['paymentmode']));
$form !== null || fail('no payment form on the invoice page');
in_array($provider, $form['radios']['paymentmode'] ?? [$form['fields']['paymentmode'] ?? ''], true)
    || fail("the invoice page does not offer $provider");
$fields = $form['fields'];
foreach ($form['buttons'] as [$name, $value]) {
    if ($name !== '') {
        $fields[$name] = $value;
    }
}
$fields['paymentmode'] = $provider;
[$status, $headers] = $browser->post(absolute($form['action'] ?: $invoice['url'], $invoice['url']), $fields);
$checkout = $headers['location'] ?? '';
in_array($status, [302, 303], true) && strpos($checkout, $env['SANDBOX_URL']) === 0
    || fail("Pay did not redirect to the sandbox checkout (HTTP $status, location '$checkout')");
say("POST Pay ($provider) -> $status -> $checkout");

// 3. On the provider's hosted checkout the customer presses Pay; the sandbox delivers the webhook.
[$status, , $html] = $browser->get($checkout);
$status === 200 || fail("checkout page answered $status");
$pay = Browser::findForm($html, static fn ($f) => isset($f['buttons']['pay']));
$pay !== null || fail('no Pay button on the checkout page');
$fields = $pay['fields'];
[$name, $value] = $pay['buttons']['pay'];
if ($name !== '') {
    $fields[$name] = $value;
}
$response = $browser->follow($browser->post(absolute($pay['action'] ?: $checkout, $checkout), $fields));
foreach ($response[3] as $url) {
    say("  redirected -> $url");
}
$response[0] === 200 || fail("the customer's last page answered {$response[0]}");
if (preg_match('#id="alert-(\w+)"[^>]*>(.*?)<#s', $response[2], $m)) {
    say("Invoice page says ({$m[1]}): " . trim(html_entity_decode(strip_tags($m[2]))));
}

// 4. What was recorded (the webhook may still be retrying: wait up to 10 s for a paid invoice).
$deadline = microtime(true) + 10;
do {
    $after = standin('invoice', (string) $invoice['id']);
    if ((int) $after['status'] === 2) {
        break;
    }
    usleep(200000);
} while (microtime(true) < $deadline);
usleep(300000); // let a second webhook (Payrexx sends `waiting` then `confirmed`) land before listing events

mysqli_report(MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT);
$db = new mysqli('localhost', $env['DB_USER'], $env['DB_PASSWORD'], $env['DB_NAME'], 0, $env['DB_SOCKET']);
$id = (int) $invoice['id'];
$payments = $db->query("SELECT id, invoiceid, amount, paymentmode, transactionid, daterecorded FROM tblinvoicepaymentrecords WHERE invoiceid = $id ORDER BY id")->fetch_all(MYSQLI_ASSOC);
$events = $db->query("SELECT id, provider, event_id, source, status, outcome, reason_code, verified, amount, currency FROM tblpaybridge_events WHERE invoice_id = $id ORDER BY id")->fetch_all(MYSQLI_ASSOC);

say('');
say(sprintf('Invoice status after: %s (left to pay %s %s)', $after['status_name'], $after['total_left_to_pay'], $after['currency']));
say('tblinvoicepaymentrecords:');
table($payments, ['id', 'invoiceid', 'amount', 'paymentmode', 'transactionid', 'daterecorded']);
say('tblpaybridge_events:');
table($events, ['id', 'provider', 'event_id', 'source', 'status', 'outcome', 'reason_code', 'verified', 'amount', 'currency']);

(int) $after['status'] === 2 || fail('the invoice is not paid');
count($payments) === 1 || fail('expected exactly one payment row, found ' . count($payments));
say('');
say("OK: invoice paid with $provider, exactly one payment recorded.");
