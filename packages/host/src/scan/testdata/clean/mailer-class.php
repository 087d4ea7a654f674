<?php
final class ContactMailer {
    private string $to = 'shop@example.com';
    public function send(): bool {
        $subject = 'Contact form: ' . substr(strip_tags($_POST['subject'] ?? ''), 0, 80);
        return mail($this->to, $subject, strip_tags($_POST['message'] ?? ''));
    }
}
