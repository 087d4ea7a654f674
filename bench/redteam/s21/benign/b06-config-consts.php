<?php
class ImageConfig {
    const DRIVER = 'exec';
    const CONVERT = '/usr/bin/convert';
    public static $formatter = 'strtoupper';
    public function resize($src, $dst, $w) {
        if (self::DRIVER === 'exec') {
            exec(self::CONVERT . ' ' . escapeshellarg($src) . ' -resize ' . (int) $w . ' ' . escapeshellarg($dst));
        }
    }
    public function label($s) { return (self::$formatter)($s); }
}
