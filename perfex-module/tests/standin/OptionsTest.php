<?php

final class OptionsTest extends StandinTestCase
{
    private static array $r;

    public static function setUpBeforeClass(): void
    {
        self::installFixture();
    }

    private function probe(): array
    {
        return $this->json($this->get('standin_fixture/probe/options/standin_opt_' . bin2hex(random_bytes(4))));
    }

    public function testGetOptionOfAMissingOptionIsAnEmptyString(): void
    {
        $r = $this->probe();
        $this->assertSame('', $r['missing']);
        $this->assertFalse($r['exists_before']);
    }

    public function testAddOptionNeverOverwritesAnExistingValue(): void
    {
        $r = $this->probe();
        $this->assertTrue($r['add_first']);
        $this->assertFalse($r['add_second']);
        $this->assertSame('first', $r['after_adds']);
    }

    public function testUpdateOptionIsTrueOnlyWhenTheValueChanged(): void
    {
        $r = $this->probe();
        $this->assertFalse($r['update_same']);
        $this->assertTrue($r['update_changed']);
        $this->assertSame('third', $r['after_update']);
    }

    public function testUpdateOptionCreatesAMissingOption(): void
    {
        $r = $this->probe();
        $this->assertTrue($r['update_creates']);
        $this->assertSame('created', $r['created_value']);
    }

    public function testDeleteOptionRemovesTheRow(): void
    {
        $r = $this->probe();
        $this->assertTrue($r['delete']);
        $this->assertSame('', $r['after_delete']);
    }

    public function testSetOptionFromTheCliIsVisibleToTheWebApp(): void
    {
        $name = 'standin_cli_opt_' . bin2hex(random_bytes(4));
        self::cli('set-option', $name, 'from-cli');
        $this->assertSame('from-cli', self::option($name));
        $this->assertSame('from-cli', self::cli('get-option', $name));
        self::db()->query("DELETE FROM tbloptions WHERE name = '" . self::db()->real_escape_string($name) . "'");
    }
}
