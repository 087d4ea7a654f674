<?php
namespace App\Service;
const DEFAULT_SHELL = '/bin/sh';
final class Runner {
    private string $binary = 'system';
    public function __construct(private string $mode = 'exec') {}
    public function name(): string { return $this->binary . ':' . $this->mode . ':' . \App\Service\DEFAULT_SHELL; }
}
