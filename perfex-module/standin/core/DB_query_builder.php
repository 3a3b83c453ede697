<?php

defined('BASEPATH') or exit('No direct script access allowed');

/**
 * The CodeIgniter 3 query-builder calls Perfex modules use, written from CI3's documented behaviour:
 * chained where/or_where/like, select/select_max/select_min/join/order_by/limit, get, insert/update/delete/
 * count_all_results and the compiled-SQL helpers. Only what the module, the stand-in and perfex.md's list use.
 * Identifiers are backtick-protected when they are plain (table.column); anything else is passed raw,
 * like CI3 does for expressions. Values are escaped through the connection.
 */
abstract class CI_DB_query_builder
{
    protected array $qb_select   = [];
    protected array $qb_from     = [];
    protected array $qb_join     = [];
    /** @var string[] conditions, each starting with its 'AND ' / 'OR ' connector */
    protected array $qb_where    = [];
    protected array $qb_orderby  = [];
    protected $qb_limit          = false;
    protected $qb_offset         = false;
    /** @var array<string, string> column => escaped value */
    protected array $qb_set      = [];

    abstract public function query($sql, $binds = false, $return_object = null);
    abstract public function escape_str($str, $like = false);

    // ---------------------------------------------------------------- escaping

    public function escape($str)
    {
        if (is_array($str)) {
            return array_map([$this, 'escape'], $str);
        }
        if (is_string($str) || (is_object($str) && method_exists($str, '__toString'))) {
            return "'" . $this->escape_str((string) $str) . "'";
        }
        if (is_bool($str)) {
            return $str ? '1' : '0';
        }
        if ($str === null) {
            return 'NULL';
        }
        if (is_float($str)) {
            // Locale-independent, shortest round-trip form.
            return var_export($str, true);
        }
        return (string) $str;
    }

    public function escape_like_str($str)
    {
        return $this->escape_str($str, true);
    }

    public function escape_identifiers($item)
    {
        if ($item === '*' || !is_string($item)) {
            return $item;
        }
        if (!preg_match('/^[A-Za-z0-9_$`]+(\.[A-Za-z0-9_$`*]+)*$/', $item)) {
            return $item;
        }
        $parts = explode('.', str_replace('`', '', $item));
        return implode('.', array_map(static fn ($p) => $p === '*' ? '*' : '`' . $p . '`', $parts));
    }

    /** Protects "table.col", "table.col AS alias" and "table alias"; leaves expressions alone. */
    public function protect_identifiers($item, $prefix_single = false, $protect_identifiers = null, $field_exists = true)
    {
        if (!is_string($item) || $protect_identifiers === false) {
            return $item;
        }
        $item = trim($item);
        if (preg_match('/^([A-Za-z0-9_$`.*]+)(?:\s+AS)?\s+([A-Za-z0-9_$`]+)$/i', $item, $m)) {
            return $this->escape_identifiers($m[1]) . ' AS ' . $this->escape_identifiers($m[2]);
        }
        return $this->escape_identifiers($item);
    }

    // ---------------------------------------------------------------- select / from / join

    public function select($select = '*', $escape = null)
    {
        if (is_string($select)) {
            $select = strpos($select, '(') === false ? explode(',', $select) : [$select];
        }
        foreach ($select as $val) {
            $val = trim($val);
            if ($val !== '') {
                $this->qb_select[] = $escape === false ? $val : $this->protect_identifiers($val);
            }
        }
        return $this;
    }

    public function select_max($select = '', $alias = '')  { return $this->selectAggregate($select, $alias, 'MAX'); }
    public function select_min($select = '', $alias = '')  { return $this->selectAggregate($select, $alias, 'MIN'); }

    private function selectAggregate(string $select, string $alias, string $fn)
    {
        $alias = $alias !== '' ? $alias : preg_replace('/^.*\./', '', $select);
        $this->qb_select[] = $fn . '(' . $this->protect_identifiers($select) . ') AS ' . $this->escape_identifiers($alias);
        return $this;
    }

    public function from($from)
    {
        foreach ((array) $from as $f) {
            foreach (strpos($f, ',') !== false ? explode(',', $f) : [$f] as $t) {
                $this->qb_from[] = $this->protect_identifiers(trim($t));
            }
        }
        return $this;
    }

    public function join($table, $cond, $type = '', $escape = null)
    {
        $type = strtoupper(trim((string) $type));
        if (!in_array($type, ['LEFT', 'RIGHT', 'OUTER', 'INNER', 'LEFT OUTER', 'RIGHT OUTER'], true)) {
            $type = '';
        }
        if ($escape !== false && preg_match('/^([\w.]+)\s*(=|<>|!=|<=|>=|<|>)\s*([\w.]+)$/', trim($cond), $m)) {
            $cond = $this->escape_identifiers($m[1]) . ' ' . $m[2] . ' ' . $this->escape_identifiers($m[3]);
        }
        $this->qb_join[] = trim($type . ' JOIN') . ' ' . $this->protect_identifiers($table, false, $escape) . ' ON ' . $cond;
        return $this;
    }

    // ---------------------------------------------------------------- where

    public function where($key, $value = null, $escape = null)        { return $this->whereInternal($key, $value, 'AND ', $escape); }
    public function or_where($key, $value = null, $escape = null)     { return $this->whereInternal($key, $value, 'OR ', $escape); }

    public function like($field, $match = '', $side = 'both', $escape = null) { return $this->likeInternal($field, $match, 'AND ', $side, $escape); }

    protected static function hasOperator(string $str): bool
    {
        return (bool) preg_match('/(<|>|!|=|\sIS NULL|\sIS NOT NULL|\sEXISTS|\sBETWEEN|\sLIKE|\sIN\s*\(|\s)/i', trim($str));
    }

    /** "col", "tbl.col >=", "col !=" -> protected identifier + operator; anything else stays raw. */
    protected function protectKey(string $k, $escape): string
    {
        if ($escape === false) {
            return $k;
        }
        if (preg_match('/^\s*([A-Za-z0-9_$`.]+)(\s*(?:=|!=|<>|<=|>=|<|>|\s+IS\s+NULL|\s+IS\s+NOT\s+NULL|\s+LIKE|\s+NOT\s+LIKE|\s+IS|\s+IS\s+NOT)?\s*)$/i', $k, $m)) {
            return $this->escape_identifiers($m[1]) . rtrim($m[2]);
        }
        return $k;
    }

    protected function whereInternal($key, $value, string $type, $escape)
    {
        if (!is_array($key)) {
            $key = [$key => $value];
        }
        foreach ($key as $k => $v) {
            $k = (string) $k;
            if ($v !== null) {
                $k = $this->protectKey($k, $escape);
                if (!self::hasOperator($k)) {
                    $k .= ' =';
                }
                $cond = $k . ' ' . ($escape === false ? $v : $this->escape($v));
            } elseif (!self::hasOperator($k)) {
                $cond = $this->protectKey($k, $escape) . ' IS NULL';
            } elseif (preg_match('/\s*(!?=|<>|\sIS(?:\s+NOT)?\s)\s*$/i', $k, $m, PREG_OFFSET_CAPTURE)) {
                $cond = $this->protectKey(substr($k, 0, $m[0][1]), $escape) . ($m[1][0] === '=' ? ' IS NULL' : ' IS NOT NULL');
            } else {
                $cond = $k; // raw condition, e.g. where('id = 5') or where('(a OR b)')
            }
            $this->qb_where[] = $type . $cond;
        }
        return $this;
    }

    protected function likeInternal($field, $match, string $type, $side, $escape)
    {
        if (!is_array($field)) {
            $field = [$field => $match];
        }
        foreach ($field as $k => $v) {
            $v = $this->escape_like_str((string) $v);
            $side = strtolower((string) $side);
            $pattern = $side === 'none' ? $v : ($side === 'before' ? "%$v" : ($side === 'after' ? "$v%" : "%$v%"));
            $cond = $this->protectKey((string) $k, $escape) . " LIKE '" . $pattern . "' ESCAPE '!'";
            $this->qb_where[] = $type . $cond;
        }
        return $this;
    }

    public function order_by($orderby, $direction = '', $escape = null)
    {
        $direction = strtoupper(trim((string) $direction));
        if ($direction === 'RANDOM') {
            $this->qb_orderby[] = 'RAND()';
            return $this;
        }
        $direction = in_array($direction, ['ASC', 'DESC'], true) ? ' ' . $direction : '';
        if ($direction === '' || $escape === false) {
            // "a desc, b asc" style lists are kept as written.
            foreach (explode(',', (string) $orderby) as $part) {
                $part = trim($part);
                if ($part === '') {
                    continue;
                }
                if ($escape !== false && preg_match('/^([\w.`]+)(\s+(?:ASC|DESC))?$/i', $part, $m)) {
                    $part = $this->escape_identifiers($m[1]) . (isset($m[2]) ? strtoupper($m[2]) : '');
                }
                $this->qb_orderby[] = $part . $direction;
            }
            return $this;
        }
        $this->qb_orderby[] = $this->protect_identifiers(trim((string) $orderby)) . $direction;
        return $this;
    }

    public function limit($value, $offset = 0)
    {
        if ($value !== null) {
            $this->qb_limit = (int) $value;
        }
        if (!empty($offset)) {
            $this->qb_offset = (int) $offset;
        }
        return $this;
    }

    public function set($key, $value = '', $escape = null)
    {
        if (is_object($key)) {
            $key = get_object_vars($key);
        }
        if (!is_array($key)) {
            $key = [$key => $value];
        }
        foreach ($key as $k => $v) {
            $this->qb_set[$this->escape_identifiers((string) $k)] = $escape === false ? (string) $v : $this->escape($v);
        }
        return $this;
    }

    // ---------------------------------------------------------------- compile

    protected function compileConditions(array $items): string
    {
        if ($items !== []) {
            $items[0] = preg_replace('/^(AND |OR )/', '', $items[0]);
        }
        return implode(' ', $items);
    }

    protected function compileWhere(): string
    {
        return $this->qb_where === [] ? '' : "\nWHERE " . $this->compileConditions($this->qb_where);
    }

    public function get_compiled_select($table = '', $reset = true)
    {
        if ($table !== '') {
            $this->from($table);
        }
        $sql = 'SELECT ' . ($this->qb_select === [] ? '*' : implode(', ', $this->qb_select));
        if ($this->qb_from !== []) {
            $sql .= "\nFROM " . implode(', ', $this->qb_from);
        }
        if ($this->qb_join !== []) {
            $sql .= "\n" . implode("\n", $this->qb_join);
        }
        $sql .= $this->compileWhere();
        if ($this->qb_orderby !== []) {
            $sql .= "\nORDER BY " . implode(', ', $this->qb_orderby);
        }
        if ($this->qb_limit !== false || $this->qb_offset !== false) {
            $sql .= "\nLIMIT " . ($this->qb_offset !== false ? $this->qb_offset . ', ' : '') . ($this->qb_limit !== false ? $this->qb_limit : '18446744073709551615');
        }
        if ($reset) {
            $this->reset_query();
        }
        return $sql;
    }

    public function get_compiled_insert($table = '', $reset = true)
    {
        $sql = 'INSERT INTO ' . $this->protect_identifiers($this->tableFor($table))
            . ' (' . implode(', ', array_keys($this->qb_set)) . ') VALUES (' . implode(', ', $this->qb_set) . ')';
        if ($reset) {
            $this->reset_query();
        }
        return $sql;
    }

    public function get_compiled_update($table = '', $reset = true)
    {
        $sets = [];
        foreach ($this->qb_set as $k => $v) {
            $sets[] = $k . ' = ' . $v;
        }
        $sql = 'UPDATE ' . $this->protect_identifiers($this->tableFor($table)) . ' SET ' . implode(', ', $sets) . $this->compileWhere();
        if ($this->qb_orderby !== []) {
            $sql .= "\nORDER BY " . implode(', ', $this->qb_orderby);
        }
        if ($this->qb_limit !== false) {
            $sql .= ' LIMIT ' . $this->qb_limit;
        }
        if ($reset) {
            $this->reset_query();
        }
        return $sql;
    }

    protected function tableFor($table): string
    {
        if ($table !== '' && $table !== null) {
            return (string) $table;
        }
        if ($this->qb_from === []) {
            throw new InvalidArgumentException('You must set the database table to be used with your query.');
        }
        return str_replace('`', '', $this->qb_from[0]);
    }

    public function reset_query()
    {
        $this->qb_select = $this->qb_from = $this->qb_join = $this->qb_where = $this->qb_orderby = $this->qb_set = [];
        $this->qb_limit = $this->qb_offset = false;
        return $this;
    }
}
