<?php
declare(strict_types=1);

namespace PayBridge\Tests\Support;

final class FreePort
{
    /** A loopback port that was free a moment ago (the kernel picks it; nothing listens on it now). */
    public static function pick(): int
    {
        $server = stream_socket_server('tcp://127.0.0.1:0', $errno, $errstr);
        if ($server === false) {
            throw new \RuntimeException("cannot bind a loopback port: $errstr");
        }
        $name = stream_socket_get_name($server, false);
        fclose($server);
        return (int) substr($name, strrpos($name, ':') + 1);
    }

    /** Waits until something accepts connections on the port. */
    public static function waitListening(int $port, float $seconds = 5.0): void
    {
        $deadline = microtime(true) + $seconds;
        while (microtime(true) < $deadline) {
            $s = @stream_socket_client("tcp://127.0.0.1:$port", $errno, $errstr, 0.2);
            if ($s !== false) {
                fclose($s);
                return;
            }
            usleep(20_000);
        }
        throw new \RuntimeException("nothing listening on 127.0.0.1:$port after {$seconds} s");
    }
}
