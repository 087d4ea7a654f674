<?php
$ch = curl_init('https://downloads.example.org/geoip/GeoLite2-Country.mmdb');
curl_setopt($ch, CURLOPT_RETURNTRANSFER, true);
$data = curl_exec($ch);
curl_close($ch);
file_put_contents(__DIR__ . '/data/GeoLite2-Country.mmdb', $data);
