<?php
class SheetWriter {
    private $fh;
    public function __construct($path) { $this->fh = fopen($path, 'wb'); }
    public function header() {
        fwrite($this->fh, pack('H*', '3c3f786d6c2076657273696f6e3d22312e302220656e636f64696e673d225554462d38223f3e0a'));
    }
}
