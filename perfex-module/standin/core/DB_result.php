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

    public function __construct(mysqli_result $res)
    {
        $this->rows   = $res->fetch_all(MYSQLI_ASSOC);
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
        return $type === 'array' ? $this->rows[$n] : (object) $this->rows[$n];
    }

    public function row_array($n = 0): ?array
    {
        return $this->row($n, 'array');
    }

    public function num_rows(): int
    {
        return count($this->rows);
    }

}
