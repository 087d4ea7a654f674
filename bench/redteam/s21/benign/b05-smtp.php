<?php
class Smtp {
    private $sock;
    public function connect($host, $port = 25) {
        $this->sock = fsockopen($host, $port, $errno, $errstr, 10);
        $greeting = fgets($this->sock, 515);
        fwrite($this->sock, "EHLO " . gethostname() . "\r\n");
        $reply = fgets($this->sock, 515);
        return $reply;
    }
}
