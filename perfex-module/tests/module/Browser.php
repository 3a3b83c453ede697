<?php

// Stack::sandboxCaFile(): the demo loads this client without the test bootstrap.
require_once __DIR__ . '/Stack.php';

/** A minimal cookie-keeping HTTP client on curl. Redirects are not followed: tests look at them. */
final class Browser
{
    private array $cookies = [];

    /** @return array{0:int, 1:array<string,string>, 2:string} status, lower-cased headers, body */
    public function request(string $method, string $url, $body = null, array $headers = [], float $timeout = 20.0): array
    {
        $ch = curl_init($url);
        $respHeaders = [];
        if ($this->cookies) {
            $headers[] = 'Cookie: ' . implode('; ', array_map(static function ($k, $v) {
                return $k . '=' . $v;
            }, array_keys($this->cookies), $this->cookies));
        }
        curl_setopt_array($ch, [
            CURLOPT_CUSTOMREQUEST  => $method,
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_FOLLOWLOCATION => false,
            CURLOPT_TIMEOUT_MS     => (int) ($timeout * 1000),
            CURLOPT_HTTPHEADER     => $headers,
            // `scripts/stack up --tls`: the sandbox's control endpoints speak HTTPS with its own CA.
            CURLOPT_CAINFO         => Stack::sandboxCaFile(),
            CURLOPT_HEADERFUNCTION => function ($ch, $line) use (&$respHeaders) {
                if (preg_match('/^([^:]+):\s*(.*?)\s*$/', $line, $m)) {
                    $name = strtolower($m[1]);
                    if ($name === 'set-cookie' && preg_match('/^([^=]+)=([^;]*)/', $m[2], $c)) {
                        if ($c[2] === '' || stripos($m[2], 'expires=Thu, 01 Jan 1970') !== false || stripos($m[2], 'max-age=0') !== false) {
                            unset($this->cookies[$c[1]]);
                        } else {
                            $this->cookies[$c[1]] = $c[2];
                        }
                    }
                    $respHeaders[$name] = $m[2];
                }

                return strlen($line);
            },
        ]);
        if ($body !== null) {
            curl_setopt($ch, CURLOPT_POSTFIELDS, $body);
        }
        $out = curl_exec($ch);
        $status = (int) curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
        curl_close($ch);

        return [$status, $respHeaders, $out === false ? '' : $out];
    }

    /** The Cookie header this browser would send (to join its session to a Browser::parallel() batch). */
    public function cookieHeader(): string
    {
        return 'Cookie: ' . implode('; ', array_map(static function ($k, $v) {
            return $k . '=' . $v;
        }, array_keys($this->cookies), $this->cookies));
    }

    public function get(string $url): array
    {
        return $this->request('GET', $url);
    }

    public function post(string $url, array $fields): array
    {
        return $this->request('POST', $url, http_build_query($fields), ['Content-Type: application/x-www-form-urlencoded']);
    }

    public function postJson(string $url, $data, array $headers = []): array
    {
        return $this->request('POST', $url, is_string($data) ? $data : json_encode($data), array_merge(['Content-Type: application/json'], $headers));
    }

    /** Follows redirects with GET (like a browser after a POST), returning the final response and the URLs visited. */
    public function follow(array $response, int $max = 10): array
    {
        $visited = [];
        while (in_array($response[0], [301, 302, 303, 307, 308], true) && $max-- > 0) {
            $url = $response[1]['location'];
            $visited[] = $url;
            $response = $this->get($url);
        }
        $response[3] = $visited;

        return $response;
    }

    /**
     * Forms of a page: ['action', 'method', 'fields' => name => value (hidden/text/selected), 'radios' => name => [values],
     * 'buttons' => [id => [name, value]]]. Returns the first one $match accepts.
     */
    public static function findForm(string $html, callable $match): ?array
    {
        foreach (self::forms($html) as $form) {
            if ($match($form)) {
                return $form;
            }
        }

        return null;
    }

    public static function forms(string $html): array
    {
        $doc = new DOMDocument();
        libxml_use_internal_errors(true);
        $doc->loadHTML('<?xml encoding="utf-8"?>' . $html);
        libxml_clear_errors();
        $out = [];
        foreach ($doc->getElementsByTagName('form') as $form) {
            $f = ['action' => $form->getAttribute('action'), 'method' => strtolower($form->getAttribute('method') ?: 'get'),
                'id' => $form->getAttribute('id'), 'fields' => [], 'radios' => [], 'buttons' => []];
            foreach ((new DOMXPath($doc))->query('.//input|.//select|.//textarea|.//button', $form) as $el) {
                $name = $el->getAttribute('name');
                $type = strtolower($el->getAttribute('type'));
                if ($el->nodeName === 'button' || $type === 'submit') {
                    $f['buttons'][$el->getAttribute('id') ?: $name] = [$name, $el->getAttribute('value')];
                    continue;
                }
                if ($name === '') {
                    continue;
                }
                if ($type === 'radio' || $type === 'checkbox') {
                    $f['radios'][$name][] = $el->getAttribute('value');
                    if ($el->hasAttribute('checked')) {
                        $f['fields'][$name] = $el->getAttribute('value');
                    }
                } elseif ($el->nodeName === 'select') {
                    foreach ($el->getElementsByTagName('option') as $i => $opt) {
                        if ($i === 0 || $opt->hasAttribute('selected')) {
                            $f['fields'][$name] = $opt->getAttribute('value');
                        }
                    }
                } else {
                    $f['fields'][$name] = $el->nodeName === 'textarea' ? $el->textContent : $el->getAttribute('value');
                }
            }
            $out[] = $f;
        }

        return $out;
    }

    /**
     * Sends requests at once with curl_multi (each: [method, url, body, headers]).
     * @return array<int, array{0:int, 1:string}> status and body per request, in order
     */
    public static function parallel(array $requests, float $timeout = 20.0): array
    {
        $mh = curl_multi_init();
        $handles = [];
        $responseHeaders = [];
        foreach ($requests as $i => [$method, $url, $body, $headers]) {
            $ch = curl_init($url);
            $responseHeaders[$i] = [];
            curl_setopt_array($ch, [
                CURLOPT_CUSTOMREQUEST  => $method,
                CURLOPT_RETURNTRANSFER => true,
                CURLOPT_FOLLOWLOCATION => false,
                CURLOPT_TIMEOUT_MS     => (int) ($timeout * 1000),
                CURLOPT_HTTPHEADER     => $headers,
                // Third element of each answer: lower-cased response headers (e.g. retry-after).
                CURLOPT_HEADERFUNCTION => static function ($ch, $line) use (&$responseHeaders, $i) {
                    if (strpos($line, ':') !== false) {
                        [$k, $v] = explode(':', $line, 2);
                        $responseHeaders[$i][strtolower(trim($k))] = trim($v);
                    }

                    return strlen($line);
                },
            ]);
            if ($body !== null) {
                curl_setopt($ch, CURLOPT_POSTFIELDS, $body);
            }
            curl_multi_add_handle($mh, $ch);
            $handles[$i] = $ch;
        }
        do {
            $status = curl_multi_exec($mh, $running);
            if ($running) {
                curl_multi_select($mh, 0.05);
            }
        } while ($running && $status === CURLM_OK);
        $out = [];
        foreach ($handles as $i => $ch) {
            $out[$i] = [(int) curl_getinfo($ch, CURLINFO_RESPONSE_CODE), (string) curl_multi_getcontent($ch), $responseHeaders[$i]];
            curl_multi_remove_handle($mh, $ch);
            curl_close($ch);
        }
        curl_multi_close($mh);

        return $out;
    }
}
