<?php

defined('BASEPATH') or exit('No direct script access allowed');

/**
 * Actions and filters (Perfex's hooks(): WordPress-style, priority ascending, FIFO within a priority,
 * each callback receives at most $accepted_args arguments).
 */
class Hooks
{
    private array $filters = [];   // tag => priority => list of [callable, accepted_args]
    private array $actions = [];
    private array $didActions = [];

    public function add_action($tag, $function_to_add, $priority = 10, $accepted_args = 1): bool
    {
        $this->actions[$tag][(int) $priority][] = [$function_to_add, (int) $accepted_args];
        return true;
    }

    public function add_filter($tag, $function_to_add, $priority = 10, $accepted_args = 1): bool
    {
        $this->filters[$tag][(int) $priority][] = [$function_to_add, (int) $accepted_args];
        return true;
    }

    public function do_action($tag, ...$args): void
    {
        $this->didActions[$tag] = ($this->didActions[$tag] ?? 0) + 1;
        foreach ($this->sorted($this->actions, $tag) as [$fn, $n]) {
            call_user_func_array($fn, array_slice($args, 0, max(0, $n)));
        }
    }

    public function apply_filters($tag, $value = null, ...$args)
    {
        foreach ($this->sorted($this->filters, $tag) as [$fn, $n]) {
            $value = call_user_func_array($fn, array_slice(array_merge([$value], $args), 0, max(1, $n)));
        }
        return $value;
    }

    public function has_filter($tag, $function_to_check = false)
    {
        return $this->has($this->filters, $tag, $function_to_check);
    }

    public function has_action($tag, $function_to_check = false)
    {
        return $this->has($this->actions, $tag, $function_to_check);
    }

    public function remove_filter($tag, $function_to_remove, $priority = 10): bool
    {
        return $this->remove($this->filters, $tag, $function_to_remove, (int) $priority);
    }

    public function remove_action($tag, $function_to_remove, $priority = 10): bool
    {
        return $this->remove($this->actions, $tag, $function_to_remove, (int) $priority);
    }

    public function remove_all_actions($tag): void
    {
        unset($this->actions[$tag]);
    }

    public function remove_all_filters($tag): void
    {
        unset($this->filters[$tag]);
    }

    public function did_action($tag): int
    {
        return $this->didActions[$tag] ?? 0;
    }

    private function sorted(array $registry, string $tag): array
    {
        if (empty($registry[$tag])) {
            return [];
        }
        $byPriority = $registry[$tag];
        ksort($byPriority);
        return array_merge(...array_values($byPriority));
    }

    /** false when absent; true (no callback given) or the callback's priority, like WordPress. */
    private function has(array $registry, string $tag, $fn)
    {
        if (empty($registry[$tag])) {
            return false;
        }
        if ($fn === false) {
            return true;
        }
        foreach ($registry[$tag] as $priority => $list) {
            foreach ($list as [$cb]) {
                if ($cb === $fn) {
                    return $priority;
                }
            }
        }
        return false;
    }

    private function remove(array &$registry, string $tag, $fn, int $priority): bool
    {
        foreach ($registry[$tag][$priority] ?? [] as $i => [$cb]) {
            if ($cb === $fn) {
                unset($registry[$tag][$priority][$i]);
                $registry[$tag][$priority] = array_values($registry[$tag][$priority]);
                return true;
            }
        }
        return false;
    }
}
