<?php

defined('BASEPATH') or exit('No direct script access allowed');

/**
 * $CI->app_menu of Perfex 3.x, as far as a module touches it: modules add sidebar entries from the
 * `admin_init` action (AdminController fires it after the staff check), with
 * add_sidebar_menu_item($slug, $item) and add_sidebar_children_item($parentSlug, $item); items carry
 * name, href, position (and slug for children). The stand-in renders them in the admin layout's header.
 */
class App_menu
{
    private array $items = [];

    public function __construct()
    {
        // Perfex's core parents that modules hang children on.
        $this->add_sidebar_menu_item('utilities', ['name' => 'Utilities', 'href' => '#', 'position' => 40]);
    }

    public function add_sidebar_menu_item($slug, $item): void
    {
        $this->items[$slug] = array_merge(['slug' => $slug, 'name' => $slug, 'href' => '#', 'position' => 10, 'children' => []],
            $this->items[$slug] ?? [], (array) $item, ['slug' => $slug]);
    }

    public function add_sidebar_children_item($parentSlug, $item): void
    {
        if (!isset($this->items[$parentSlug])) {
            return; // Perfex shows no child whose parent does not exist
        }
        $item = (array) $item;
        $this->items[$parentSlug]['children'][$item['slug'] ?? count($this->items[$parentSlug]['children'])] = $item;
    }

    /** Sorted by position, children too. */
    public function get_sidebar_menu_items(): array
    {
        $items = $this->items;
        $byPosition = static function ($a, $b) {
            return ($a['position'] ?? 10) <=> ($b['position'] ?? 10);
        };
        foreach ($items as &$i) {
            uasort($i['children'], $byPosition);
        }
        unset($i);
        uasort($items, $byPosition);

        return $items;
    }
}
