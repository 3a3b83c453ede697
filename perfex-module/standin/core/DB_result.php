<?php

defined('BASEPATH') or exit('No direct script access allowed');

/**
 * Result of a SELECT through $CI->db (CodeIgniter 3 `CI_DB_result` surface).
 * Rows are fetched once (buffered) and served as arrays or stdClass objects; values are strings or NULL,
 * exactly as mysqli returns them without MYSQLI_OPT_INT_AND_FLOAT_NATIVE.
 */
class CI_DB_result
{
    /** @var array<int, array<string, mixed>> */
    private array $rows;
    /** @var string[] */
    private array $fields;
    public int $current_row = 0;

    public function __construct(mysqli_result $res)
    {
        $this->rows   = $res->fetch_all(MYSQLI_ASSOC);
        $this->fields = array_map(static fn ($f) => $f->name, $res->fetch_fields());
        $res->free();
    }

    public function result($type = 'object'): array
    {
        return $type === 'array' ? $this->result_array() : $this->result_object();
    }

    public function result_array(): array
    {
        return $this->rows;
    }

    public function result_object(): array
    {
        return array_map(static fn ($r) => (object) $r, $this->rows);
    }

    public function row($n = 0, $type = 'object')
    {
        if (!is_numeric($n)) {
            // CI3: row('column') returns that column of the first row.
            return $this->rows[0][$n] ?? null;
        }
        if (!isset($this->rows[$n])) {
            return null;
        }
        $this->current_row = (int) $n;
        return $type === 'array' ? $this->rows[$n] : (object) $this->rows[$n];
    }

    public function row_array($n = 0): ?array
    {
        return $this->row($n, 'array');
    }

    public function first_row($type = 'object')
    {
        return $this->row(0, $type);
    }

    public function last_row($type = 'object')
    {
        return $this->rows === [] ? null : $this->row(count($this->rows) - 1, $type);
    }

    public function next_row($type = 'object')
    {
        return $this->row($this->current_row + 1, $type);
    }

    public function unbuffered_row($type = 'object')
    {
        $row = $this->row($this->current_row, $type);
        $this->current_row++;
        return $row;
    }

    public function num_rows(): int
    {
        return count($this->rows);
    }

    public function num_fields(): int
    {
        return count($this->fields);
    }

    public function list_fields(): array
    {
        return $this->fields;
    }

    public function free_result(): void
    {
    }
}
