<%@ page import="java.io.*,java.util.*" %>
<%
  // Product page cache: the rendered fragment is kept in a file; the thumbnail is inlined as base64.
  String id = request.getParameter("id");
  if (id == null || !id.matches("[0-9]{1,9}")) { response.sendError(400); return; }
  File f = new File(application.getRealPath("/WEB-INF/cache"), id + ".ser");
  Map<String, String> frag = null;
  if (f.exists()) {
    try (ObjectInputStream in = new ObjectInputStream(new FileInputStream(f))) {
      frag = (Map<String, String>) in.readObject();
    }
  }
  byte[] thumb = Base64.getDecoder().decode(frag != null ? frag.get("thumb") : "");
%>
<html><body><h1><%= frag != null ? frag.get("title") : "" %></h1><p><%= thumb.length %> bytes</p></body></html>
