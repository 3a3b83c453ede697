<?php

defined('BASEPATH') or exit('No direct script access allowed');

/**
 * $CI->encryption: authenticated symmetric encryption in the spirit of CI3's Encryption library
 * (encrypt-then-MAC, keys derived with HKDF from the application key). Format:
 * base64( HMAC-SHA256(iv || ciphertext) || iv || AES-256-CBC ciphertext ).
 * decrypt() returns false for anything that fails authentication, like CI3.
 */
class CI_Encryption
{
    private string $encKey;
    private string $macKey;

    public function __construct(array $params = [])
    {
        $key = $params['key'] ?? APP_ENC_KEY;
        $this->encKey = hash_hkdf('sha256', $key, 32, 'encryption');
        $this->macKey = hash_hkdf('sha256', $key, 32, 'authentication');
    }

    public function encrypt($data, $params = null)
    {
        $iv = random_bytes(16);
        $ct = openssl_encrypt((string) $data, 'aes-256-cbc', $this->encKey, OPENSSL_RAW_DATA, $iv);
        if ($ct === false) {
            return false;
        }
        return base64_encode(hash_hmac('sha256', $iv . $ct, $this->macKey, true) . $iv . $ct);
    }

    public function decrypt($data, $params = null)
    {
        $raw = base64_decode((string) $data, true);
        if ($raw === false || strlen($raw) < 32 + 16 + 16) {
            return false;
        }
        $mac = substr($raw, 0, 32);
        $iv  = substr($raw, 32, 16);
        $ct  = substr($raw, 48);
        if (!hash_equals(hash_hmac('sha256', $iv . $ct, $this->macKey, true), $mac)) {
            return false;
        }
        return openssl_decrypt($ct, 'aes-256-cbc', $this->encKey, OPENSSL_RAW_DATA, $iv);
    }

    public function initialize(array $params)
    {
        return $this;
    }

    public function create_key($length)
    {
        return random_bytes((int) $length);
    }
}
