<?php

defined('BASEPATH') or exit('No direct script access allowed');

require_once __DIR__ . '/DB_query_builder.php';

/**
 * The query-builder calls that run SQL (CI3 semantics): get/count_all_results, insert/update/delete. Writes return TRUE; failures throw
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

    public function count_all_results($table = '', $reset = true)
    {
        if ($table !== '' && $table !== null) {
            $this->from($table);
        }
        $saved = [$this->qb_select, $this->qb_orderby, $this->qb_limit, $this->qb_offset];
        $this->qb_select = ['COUNT(*) AS `numrows`'];
        $this->qb_orderby = [];
        $this->qb_limit = $this->qb_offset = false;
        $sql = $this->get_compiled_select('', false);
        if ($reset) {
            $this->reset_query();
        } else {
            [$this->qb_select, $this->qb_orderby, $this->qb_limit, $this->qb_offset] = $saved;
        }
        $row = $this->query($sql)->row();
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

}
