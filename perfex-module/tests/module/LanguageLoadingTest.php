<?php

require_once __DIR__ . '/bootstrap.php';

/**
 * Issue 10 stand-in item 1: like Perfex, gateway constructors run before any language is loaded and the
 * module's lines load only on after_load_admin_language / after_load_client_language. The settings status
 * block must still be translated, and the return URL's alert must be in the invoice customer's language.
 */
final class LanguageLoadingTest extends ModuleTestCase
{
    private const LANG = 'paybridgetestlang';
    private array $created = [];

    protected function setUp(): void
    {
        parent::setUp();
        // A second language: the stand-in's core file (copied) and the module's file with marked lines.
        $core = Stack::root() . '/perfex-module/standin/language/';
        $module = Stack::root() . '/perfex-module/paybridge/language/';
        foreach ([$core . self::LANG, $module . self::LANG] as $dir) {
            if (!is_dir($dir)) {
                mkdir($dir);
                $this->created[] = $dir;
            }
        }
        copy($core . 'english/english_lang.php', $core . self::LANG . '/' . self::LANG . '_lang.php');
        $lang = [];
        include $module . 'english/paybridge_lang.php';
        $php = "<?php\n";
        foreach ($lang as $k => $v) {
            $php .= '$lang[' . var_export($k, true) . '] = ' . var_export('[TL] ' . $v, true) . ";\n";
        }
        file_put_contents($module . self::LANG . '/paybridge_lang.php', $php);
    }

    protected function tearDown(): void
    {
        foreach (array_reverse($this->created) as $dir) {
            array_map('unlink', glob($dir . '/*.php'));
            rmdir($dir);
        }
        parent::tearDown();
    }

    public function testTheSettingsStatusBlockIsTranslatedAlthoughGatewaysAreBuiltBeforeAnyLanguage(): void
    {
        [$status, , $html] = $this->adminBrowser()->get($this->perfexUrl('admin/settings?group=payment_gateways'));
        $this->assertSame(200, $status);
        $this->assertStringNotContainsString('paybridge_webhook_url_help', $html, 'no raw language key');
        $this->assertStringNotContainsString('paybridge_webhook_last_success', $html, 'no raw language key');
        $this->assertStringContainsString('Last webhook processed', $html);
    }

    public function testTheReturnUrlAlertIsInTheInvoiceCustomersLanguage(): void
    {
        $db = Stack::db();
        $db->query("INSERT INTO tblclients (company, default_language, datecreated) VALUES ('Sprachtest GmbH', '" . self::LANG . "', NOW())");
        $clientId = (int) $db->insert_id;
        $invoice = $this->createInvoice('EUR', '33.00', ['--client', (string) $clientId]);
        ['payment' => $payment] = $this->startCheckout($invoice);
        $this->control($payment['provider_payment_id'], 'pay', ['deliver' => false]);

        $browser = new Browser();
        $token = ($payment['return_token'] ?? '') !== '' ? $payment['return_token'] : $payment['token'];
        [$status] = $browser->get($this->perfexUrl('paybridge/payment/return_url/neropay/' . $token));
        $this->assertContains($status, [302, 303]);
        [, , $page] = $browser->get($this->invoiceUrl($invoice));
        $this->assertMatchesRegularExpression('#id="alert-success"[^>]*>\[TL\] #', $page, 'the paid alert in the customer language');
    }

    /** Perfex's _l() would turn a double quote into &quot; (issue 10 item 3); activity-log lines are plain text. */
    public function testNoModuleLanguageLineContainsADoubleQuote(): void
    {
        $lang = [];
        include Stack::root() . '/perfex-module/paybridge/language/english/paybridge_lang.php';
        $this->assertNotEmpty($lang);
        $this->assertSame([], array_keys(array_filter($lang, static fn ($line) => strpos($line, '"') !== false)));
    }
}
