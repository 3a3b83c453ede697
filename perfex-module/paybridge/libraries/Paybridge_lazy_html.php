<?php

defined('BASEPATH') or exit('No direct script access allowed');

/**
 * A settings `after` value rendered only when echoed (Perfex's settings view prints `after` as is): the
 * status block then shows translated lines and costs its option reads on the settings page only.
 */
final class Paybridge_lazy_html
{
    private string $before;
    /** @var callable */
    private $build;

    public function __construct(string $before, callable $build)
    {
        $this->before = $before;
        $this->build  = $build;
    }

    public function __toString(): string
    {
        try {
            return $this->before . (string) ($this->build)();
        } catch (Throwable $e) {
            // A status block must never break the settings page.
            return $this->before;
        }
    }
}
