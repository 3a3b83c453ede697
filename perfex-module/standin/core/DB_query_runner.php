<?php

defined('BASEPATH') or exit('No direct script access allowed');

require_once __DIR__ . '/DB_query_builder.php';

/**
 * The query-builder calls that run SQL (CI3 semantics): get/get_where/count_all_results/count_all,
 * insert/insert_batch/replace/update/delete/empty_table/truncate. Writes return TRUE; failures throw
 * mysqli_sql_exception from query().
 */
abstract class CI_DB_query_runner extends CI_DB_query_builder
{

    public function get($table = '', $limit = null, $offset = null)
    {
        if ($table !== '' && $table !== null) {
            $this->from($table);
        }
        if (!empty($limit)) {
            $this->limit($limit, $offset);
        }
        return $this->query($this->get_compiled_select());
    }

    public function get_where($table = '', $where = null, $limit = null, $offset = null)
    {
        if ($where !== null) {
            $this->where($where);
        }
        return $this->get($table, $limit, $offset);
    }

    public function count_all_results($table = '', $reset = true)
    {
        if ($table !== '' && $table !== null) {
            $this->from($table);
        }
        $saved = [$this->qb_select, $this->qb_orderby, $this->qb_limit, $this->qb_offset];
        if ($this->qb_distinct || $this->qb_groupby !== []) {
            $this->qb_orderby = [];
            $sql = 'SELECT COUNT(*) AS `numrows` FROM (' . $this->get_compiled_select('', false) . ') CI_count_all_results';
        } else {
            $this->qb_select = ['COUNT(*) AS `numrows`'];
            $this->qb_orderby = [];
            $this->qb_limit = $this->qb_offset = false;
            $sql = $this->get_compiled_select('', false);
        }
        if ($reset) {
            $this->reset_query();
        } else {
            [$this->qb_select, $this->qb_orderby, $this->qb_limit, $this->qb_offset] = $saved;
        }
        $row = $this->query($sql)->row();
        return $row ? (int) $row->numrows : 0;
    }

    public function count_all($table = '')
    {
        if ($table === '') {
            return 0;
        }
        $row = $this->query('SELECT COUNT(*) AS `numrows` FROM ' . $this->protect_identifiers($table))->row();
        return $row ? (int) $row->numrows : 0;
    }

    public function insert($table = '', $set = null, $escape = null)
    {
        if ($set !== null) {
            $this->set($set, '', $escape);
        }
        if ($this->qb_set === []) {
            throw new InvalidArgumentException('You must use the "set" method to update an entry.');
        }
        return $this->query($this->get_compiled_insert($table));
    }

    public function replace($table = '', $set = null)
    {
        if ($set !== null) {
            $this->set($set);
        }
        $sql = 'REPLACE' . substr($this->get_compiled_insert($table, false), 6);
        $this->reset_query();
        return $this->query($sql);
    }

    public function insert_batch($table, $set = null, $escape = null, $batch_size = 100)
    {
        $rows = is_array($set) ? array_values($set) : [];
        if ($rows === []) {
            return false;
        }
        $total = 0;
        $cols = array_keys((array) $rows[0]);
        sort($cols);
        foreach (array_chunk($rows, max(1, (int) $batch_size)) as $chunk) {
            $values = [];
            foreach ($chunk as $row) {
                $row = (array) $row;
                ksort($row);
                $values[] = '(' . implode(', ', $escape === false ? $row : array_map([$this, 'escape'], $row)) . ')';
            }
            $this->query('INSERT INTO ' . $this->protect_identifiers($table)
                . ' (' . implode(', ', array_map([$this, 'escape_identifiers'], $cols)) . ') VALUES ' . implode(', ', $values));
            $total += $this->affected_rows();
        }
        $this->reset_query();
        return $total;
    }

    public function update($table = '', $set = null, $where = null, $limit = null)
    {
        if ($set !== null) {
            $this->set($set);
        }
        if ($this->qb_set === []) {
            throw new InvalidArgumentException('You must use the "set" method to update an entry.');
        }
        if ($where !== null) {
            $this->where($where);
        }
        if (!empty($limit)) {
            $this->limit($limit);
        }
        return $this->query($this->get_compiled_update($table));
    }

    public function delete($table = '', $where = '', $limit = null, $reset_data = true)
    {
        $table = $this->tableFor($table);
        if ($where !== '' && $where !== null) {
            $this->where($where);
        }
        if ($this->qb_where === []) {
            // CI3 refuses deletes without a where clause.
            $this->reset_query();
            return false;
        }
        $sql = 'DELETE FROM ' . $this->protect_identifiers($table) . $this->compileWhere()
            . (!empty($limit) ? ' LIMIT ' . (int) $limit : ($this->qb_limit !== false ? ' LIMIT ' . $this->qb_limit : ''));
        if ($reset_data) {
            $this->reset_query();
        }
        return $this->query($sql);
    }

    public function empty_table($table = '')
    {
        return $this->query('DELETE FROM ' . $this->protect_identifiers($this->tableFor($table)));
    }

    public function truncate($table = '')
    {
        return $this->query('TRUNCATE ' . $this->protect_identifiers($this->tableFor($table)));
    }
}
