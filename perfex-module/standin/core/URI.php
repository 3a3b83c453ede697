<?php

defined('BASEPATH') or exit('No direct script access allowed');

/** $CI->uri: the request path split in segments (1-based), without the query string. */
class CI_URI
{
    public array $segments = [];
    public array $rsegments = [];
    public string $uri_string = '';

    public function __construct(?string $path = null)
    {
        if ($path === null) {
            $path = PHP_SAPI === 'cli' ? '' : (string) parse_url($_SERVER['REQUEST_URI'] ?? '/', PHP_URL_PATH);
        }
        $path = preg_replace('#^/?index\.php#', '', $path);
        $parts = [];
        foreach (explode('/', trim($path, '/')) as $seg) {
            if ($seg !== '') {
                $parts[] = rawurldecode($seg);
            }
        }
        $this->uri_string = implode('/', $parts);
        $this->segments = $parts === [] ? [] : array_combine(range(1, count($parts)), $parts);
        $this->rsegments = $this->segments;
    }

    public function segment($n, $no_result = null)
    {
        return $this->segments[$n] ?? $no_result;
    }

    public function rsegment($n, $no_result = null)
    {
        return $this->rsegments[$n] ?? $no_result;
    }

    public function segment_array(): array
    {
        return $this->segments;
    }

    public function rsegment_array(): array
    {
        return $this->rsegments;
    }

    public function total_segments(): int
    {
        return count($this->segments);
    }

    public function uri_string(): string
    {
        return $this->uri_string;
    }

    public function ruri_string(): string
    {
        return implode('/', $this->rsegments);
    }
}
